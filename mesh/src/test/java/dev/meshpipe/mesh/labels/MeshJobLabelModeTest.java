package dev.meshpipe.mesh.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.MeshOptions;
import dev.meshpipe.mesh.MeshResult;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.io.VolumeReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MeshJob#run} meshes per label when asked, or when auto recognises a label map, and says which mode ran and why. */
class MeshJobLabelModeTest {
    static final Path CH2 = Path.of("/usr/share/mricron/templates/ch2.nii.gz");

    @TempDir
    Path dir;

    @Test
    void autoMeshesARecognisedLabelMapPerStructure() throws Exception {
        MeshResult r = MeshJob.run(LabelJobTest.organs(), MeshOptions.defaults().withThreads(2), dir);

        assertEquals("labels", r.mode());
        for (String f : new String[] {"labels/1-label-1.stl", "labels/2-label-2.stl", "labels/9-label-9.stl", "labels.glb",
                "labels.3mf", "quality.json"}) {
            assertTrue(r.files().contains(f), f + " in " + r.files());
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        JsonNode q = new ObjectMapper().readTree(dir.resolve("quality.json").toFile());
        assertEquals("labels", q.get("mode").asText());
        assertTrue(q.get("modeReason").asText().contains("a label map"), q.get("modeReason").asText());
        assertEquals(3, q.get("structures").size());
        long triangles = 0;
        for (JsonNode s : q.get("structures")) {
            triangles += s.get("triangles").asLong();
        }
        assertEquals(triangles, r.triangles());
        assertTrue(r.watertight());
    }

    /** The print preset fills cavities in label mode too: a hollow ball prints solid, one closed surface. */
    @Test
    void printFillsALabelsCavityBeforeMeshing() throws Exception {
        MeshOptions print = MeshOptions.defaults().withThreads(2).withFinishing(dev.meshpipe.mesh.finish.Finishing.Options.preset("print"))
                .withLabels(new MeshOptions.Labels(MeshOptions.Mode.LABELS, null, null, null));
        MeshJob.run(LabelCavitiesTest.hollowBall(false), print, dir);
        JsonNode q = new ObjectMapper().readTree(dir.resolve("quality.json").toFile());
        JsonNode ball = q.get("structures").get(0);
        assertTrue(ball.get("cavityVoxelsFilled").asLong() > 0, ball.toString());
        assertEquals(1, q.get("cavities").get("cavitiesFilled").asInt(), q.get("cavities").toString());
        assertTrue(ball.get("watertight").asBoolean(), ball.toString());
    }

    @Test
    void modeSurfaceMeshesTheSameMapAsOneIsosurface() throws Exception {
        MeshOptions surface = MeshOptions.defaults().withThreads(2)
                .withLabels(new MeshOptions.Labels(MeshOptions.Mode.SURFACE, null, null, null));
        MeshResult r = MeshJob.run(LabelJobTest.organs(), surface, dir);

        assertEquals("surface", r.mode());
        assertTrue(r.files().contains("mesh.stl"), r.files().toString());
        assertEquals("mode=surface was asked for", r.quality().modeReason());
    }

    @Test
    void modeLabelsKeepsOnlyTheChosenLabelsInTheirColours() throws Exception {
        MeshOptions labels = MeshOptions.defaults().withThreads(2).withLabels(new MeshOptions.Labels(MeshOptions.Mode.LABELS,
                LabelSelection.parse("1,9"), ColorTable.parse(LabelJobTest.TABLE), null));
        MeshResult r = MeshJob.run(LabelJobTest.organs(), labels, dir);

        assertTrue(r.files().contains("labels/1-liver.stl"), r.files().toString());
        assertTrue(r.files().stream().noneMatch(f -> f.startsWith("labels/2-")), r.files().toString());
        assertEquals("mode=labels was asked for", r.labels().modeReason());
        assertEquals("#a0522d", r.labels().structures().get(0).colour());
    }

    @Test
    void autoLeavesScansAndDistanceFieldsAsSurfaces() throws Exception {
        MeshResult sphere = MeshJob.run(SyntheticVolumes.create("sphere:32:10", VolumeLimits.defaults()), MeshOptions.defaults(), dir);
        assertEquals("surface", sphere.mode());
        assertTrue(sphere.quality().modeReason().contains("not a whole number"), sphere.quality().modeReason());

        assumeTrue(Files.exists(CH2), "mricron-data's ch2.nii.gz");
        Volume ch2 = VolumeReader.read(CH2.toString(), VolumeLimits.defaults());
        assertEquals(MeshOptions.Mode.SURFACE, MeshJob.chooseMode(ch2, MeshOptions.Mode.AUTO).mode());
    }
}
