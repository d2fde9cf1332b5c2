package dev.meshpipe.mesh.labels;

import static dev.meshpipe.mesh.labels.LabelSurfacesTest.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshFormat;
import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.finish.Components;
import dev.meshpipe.mesh.out.MeshJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Filling cavities in a label map: background enclosed by one label becomes that label, so the
 * structure is one solid surface; background enclosed by several is left and reported; background
 * that reaches the border through an edge or a corner is not a cavity (26-connectivity).
 */
class LabelCavitiesTest {

    /** A ball of label 1, radius 7, hollow inside radius 4 (background); optionally the far half of its shell is label 2. */
    static Volume hollowBall(boolean twoHalves) {
        return volume(20, 20, 20, new double[] {1, 1, 1}, (x, y, z) -> {
            double r2 = (x - 9.5) * (x - 9.5) + (y - 9.5) * (y - 9.5) + (z - 9.5) * (z - 9.5);
            if (r2 > 49 || r2 <= 16) {
                return 0;
            }
            return twoHalves && x >= 10 ? 2 : 1;
        });
    }

    static long count(Volume v, int label) {
        long n = 0;
        for (float f : v.data()) {
            n += f == label ? 1 : 0;
        }
        return n;
    }

    @Test
    void aHollowBallBecomesSolid() {
        Volume v = hollowBall(false);
        LabelCavities.Result r = LabelCavities.fill(v);
        long shell = count(v, 1);
        long solid = count(r.volume(), 1);
        assertTrue(solid > shell);
        assertEquals(1, r.report().cavitiesFilled());
        assertEquals(solid - shell, r.report().voxelsFilled());
        assertEquals(Map.of(1, solid - shell), r.report().filledVoxels());
        assertEquals(0, r.report().cavitiesLeft());
        // The input is not changed.
        assertEquals(shell, count(v, 1));

        Mesh hollow = LabelSurfaces.extract(v, LabelSelection.all(), 1).structures().get(0).mesh();
        Mesh filled = LabelSurfaces.extract(r.volume(), LabelSelection.all(), 1).structures().get(0).mesh();
        assertEquals(2, Components.label(hollow).count(), "an outer and an inner shell");
        assertEquals(1, Components.label(filled).count(), "one solid surface");
        assertEquals(solid, MeshQuality.signedVolume(filled), 1e-3 * solid);
    }

    @Test
    void aVoidBetweenTwoLabelsIsLeftAndReported() {
        Volume v = hollowBall(true);
        LabelCavities.Result r = LabelCavities.fill(v);
        assertSame(v, r.volume());
        assertEquals(0, r.report().cavitiesFilled());
        assertEquals(1, r.report().cavitiesLeft());
        LabelCavities.Cavity c = r.report().left().get(0);
        assertEquals(List.of(1, 2), c.labels());
        assertEquals(r.report().voxelsLeft(), c.voxels());
        assertTrue(c.voxels() > 100);
    }

    /**
     * Label 1 fills a 3x3x3 block but its centre (background) and one voxel in the middle of an
     * edge of the block: the centre touches that voxel along an edge only, so it reaches the outside
     * (the mesher keeps label 1's voxels on either side of that edge apart) and is no cavity.
     */
    @Test
    void backgroundReachingOutThroughAnEdgeIsNoCavity() {
        Volume v = volume(5, 5, 5, new double[] {1, 1, 1}, (x, y, z) -> {
            boolean block = x >= 1 && x <= 3 && y >= 1 && y <= 3 && z >= 1 && z <= 3;
            boolean centre = x == 2 && y == 2 && z == 2;
            boolean edge = x == 2 && y == 1 && z == 1;
            return block && !centre && !edge ? 1 : 0;
        });
        LabelCavities.Report r = LabelCavities.fill(v).report();
        assertEquals(0, r.cavitiesFilled());
        assertEquals(0, r.cavitiesLeft());
        // Without the notch the centre is a cavity of one voxel.
        Volume closed = volume(5, 5, 5, new double[] {1, 1, 1}, (x, y, z) -> {
            boolean block = x >= 1 && x <= 3 && y >= 1 && y <= 3 && z >= 1 && z <= 3;
            return block && !(x == 2 && y == 2 && z == 2) ? 1 : 0;
        });
        assertEquals(Map.of(1, 1L), LabelCavities.fill(closed).report().filledVoxels());
    }

    /** Through LabelJob: quality.json says how many voxels each structure received, and which cavities were left. */
    @Test
    void qualityJsonReportsFilledAndLeftCavities() throws Exception {
        for (boolean twoHalves : new boolean[] {false, true}) {
            Volume v = hollowBall(twoHalves);
            Map<String, ByteArrayOutputStream> files = new HashMap<>();
            LabelJob.LabelOptions options = new LabelJob.LabelOptions(LabelSelection.all(), LabelSmoothingTest.SMOOTH,
                    List.of(MeshFormat.STL), CoordinateSpace.RAS, false, 2, null, true);
            LabelJob.Quality q = LabelJob.run(v, options, null, name -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                files.put(name, b);
                return b;
            });
            JsonNode json = MeshJson.MAPPER.readTree(files.get(LabelJob.QUALITY_FILE).toString(StandardCharsets.UTF_8));
            LabelCavities.Report expected = LabelCavities.fill(v).report();
            assertEquals(expected, q.cavities());
            JsonNode one = json.get("structures").get(0);
            assertEquals(twoHalves ? 0 : expected.voxelsFilled(), one.get("cavityVoxelsFilled").asLong());
            assertEquals(twoHalves ? 1 : 0, json.get("cavities").get("cavitiesLeft").asInt());
            // The filled structure's voxels (and volume) include its cavity.
            assertEquals(count(v, 1) + (twoHalves ? 0 : expected.voxelsFilled()), q.structures().get(0).voxels());
            for (LabelJob.StructureQuality s : q.structures()) {
                assertTrue(s.watertight() && s.manifold(), "label " + s.label());
                assertTrue(Math.abs(s.volumeDifferencePercent()) < 1, "label " + s.label());
            }
        }
        // Not asked for: no report, nothing filled.
        LabelJob.Quality q = LabelJob.run(hollowBall(false), new LabelJob.LabelOptions(LabelSelection.all(), null,
                List.of(MeshFormat.STL), CoordinateSpace.RAS, false, 1), null, name -> new ByteArrayOutputStream());
        assertEquals(null, q.cavities());
        assertEquals(0, q.structures().get(0).cavityVoxelsFilled());
    }
}
