package dev.meshpipe.mesh.labels;

import static dev.meshpipe.mesh.labels.LabelSurfacesTest.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.finish.Finishing;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Cleanup and decimation of whole label maps per structure: every structure stays closed and as
 * manifold as before (also counted with vertices welded by position), the triangles two structures
 * share are the same in both (reversed), triangles go down, and each structure keeps its volume.
 */
class LabelDecimationTest {
    static final LabelDecimation.Options PRINT = LabelDecimation.Options.of(Finishing.Options.preset(Finishing.PRINT));
    static final LabelDecimation.Options WEB = LabelDecimation.Options.of(Finishing.Options.preset(Finishing.WEB));

    /**
     * The structures smoothed, then finished; checked against the smoothed ones after the same
     * cleanup, each volume within the correction's tolerance of what it was.
     */
    static LabelDecimation.Result finishAndCheck(Volume v, LabelDecimation.Options o) {
        LabelSurfaces.Result smoothed = LabelSurfaces.extract(v, LabelSelection.all(), LabelSmoothing.Options.defaults(), 2);
        List<Mesh> before = smoothed.structures().stream().map(LabelSurfaces.Structure::mesh).toList();
        LabelDecimation.Result r = LabelDecimation.run(before, o, 2);
        assertNull(r.report().skipped(), "patches found");
        assertTrue(r.report().undecimated() <= r.report().patches() / 10, "patches left as they were: " + r.report());
        assertSound(before.stream().map(m -> cleaned(m, o)).toList(), r);
        return r;
    }

    /** The cleanup alone (outward components only; cavity walls stay), for the expected figures. */
    static Mesh cleaned(Mesh m, LabelDecimation.Options o) {
        return LabelDecimation.cleanUp(m, o, 0, new int[1], new double[1]);
    }

    /** How far a structure's volume may end from its volume before the decimation: the correction's tolerance, and float rounding. */
    static final double VOLUME_TOLERANCE = 2 * LabelDecimation.VolumeCorrection.TOLERANCE;

    static void assertSound(List<Mesh> cleaned, LabelDecimation.Result r) {
        List<Mesh> after = r.meshes();
        for (int k = 0; k < cleaned.size(); k++) {
            Mesh before = cleaned.get(k);
            Mesh m = after.get(k);
            Topology was = Topology.of(before);
            Topology t = Topology.of(m);
            assertTrue(t.closed(), "structure " + k + ": " + t);
            assertTrue(t.badEdges() <= was.badEdges(), "structure " + k + " pinches " + t + " were " + was);
            assertTrue(t.badVertices() <= was.badVertices(), "structure " + k + " vertices " + t + " were " + was);
            assertEquals(0, t.unusedVertices(), "structure " + k);
            Topology weldedWas = Topology.welded(before);
            Topology welded = Topology.welded(m);
            assertTrue(welded.closed(), "structure " + k + " welded: " + welded);
            assertTrue(welded.badEdges() <= weldedWas.badEdges(), "structure " + k + " welded " + welded + " were " + weldedWas);
            LabelDecimation.Figures f = r.figures().get(k);
            assertEquals(m.triangleCount(), f.trianglesAfter());
            double expected = MeshQuality.signedVolume(before);
            assertEquals(expected, MeshQuality.signedVolume(m), VOLUME_TOLERANCE * Math.abs(expected), "structure " + k + " volume");
        }
        Map<Long, Integer> was = sharedTriangles(cleaned);
        Map<Long, Integer> now = sharedTriangles(after);
        // Every pair that shared a boundary still does. A heavy budget (web on AAL) can also end two
        // outside patches of different structures on the same three pinned vertices: a triangle
        // both hold, reversed (so no overlap, checked above), where they nearly touched.
        assertTrue(now.keySet().containsAll(was.keySet()), "the same pairs of structures share a boundary");
    }

    private record Point(float x, float y, float z) {}

    /**
     * Triangles that two structures share (the same corner positions, reversed), counted per pair
     * of structures (key i << 32 | j); fails when a triangle is in two structures the same way round
     * (an overlap) or in three.
     */
    static Map<Long, Integer> sharedTriangles(List<Mesh> meshes) {
        Map<Point, Integer> ids = new HashMap<>();
        // Triangle by its welded corners sorted: structure + 1, negated when wound the other way.
        Map<List<Integer>, Integer> seen = new HashMap<>();
        Map<Long, Integer> pairs = new HashMap<>();
        for (int k = 0; k < meshes.size(); k++) {
            Mesh m = meshes.get(k);
            float[] p = m.positions();
            int[] id = new int[m.vertexCount()];
            for (int v = 0; v < id.length; v++) {
                id[v] = ids.computeIfAbsent(new Point(p[3 * v], p[3 * v + 1], p[3 * v + 2]), q -> ids.size());
            }
            int[] t = m.triangles();
            for (int i = 0; i < t.length; i += 3) {
                int a = id[t[i]], b = id[t[i + 1]], c = id[t[i + 2]];
                int lo = Math.min(a, Math.min(b, c)), hi = Math.max(a, Math.max(b, c)), mid = a + b + c - lo - hi;
                boolean forward = a == lo && b == mid || b == lo && c == mid || c == lo && a == mid;
                Integer other = seen.put(List.of(lo, mid, hi), forward ? k + 1 : -(k + 1));
                if (other != null) {
                    int j = Math.abs(other) - 1;
                    assertTrue(j != k, "structure " + k + " holds a triangle twice");
                    assertTrue(other > 0 != forward, "structures " + j + " and " + k + " overlap");
                    pairs.merge((long) j << 32 | k, 1, Integer::sum);
                }
            }
        }
        return pairs;
    }

    static long triangles(List<Mesh> meshes) {
        return meshes.stream().mapToLong(Mesh::triangleCount).sum();
    }

    /**
     * The known answer: each structure encloses its voxels' volume (the smoothing keeps it within
     * 0.1%), and the decimation must not change it beyond the volume correction's tolerance, with no
     * allowance for area. Three touching boxes as in TestNifti.threeBoxes and a ball inside a shell,
     * with print's error bound and with a triangle budget (web's way; web's own 200,000 leaves maps
     * this small as they are). Without the correction: boxes up to +0.50% (print), the ball -1.69%
     * (print) and -1.02% (budget). The ball's whole surface is shared with the shell, so only a move
     * that changes both at once can restore it: the correction has to trade volume across it.
     */
    @Test
    void decimationKeepsEveryStructuresVoxelVolume() {
        Volume boxes = volume(24, 20, 16, new double[] {1, 1, 1}, (x, y, z) ->
                x >= 3 && x < 21 && y >= 3 && y < 17 && z >= 3 && z < 13 ? 1 + (x - 3) / 6 : 0);
        Volume shells = volume(28, (x, y, z) -> {
            double r = Math.sqrt((x - 13.5) * (x - 13.5) + (y - 13.5) * (y - 13.5) + (z - 13.5) * (z - 13.5));
            return r < 6 ? 1 : r < 12 ? 2 : 0;
        });
        LabelDecimation.Options budget = new LabelDecimation.Options(false, 0, 0, 1500, Double.POSITIVE_INFINITY);
        for (Volume v : List.of(boxes, shells)) {
            LabelSurfaces.Result smoothed = LabelSurfaces.extract(v, LabelSelection.all(), LabelSmoothing.Options.defaults(), 2);
            List<Mesh> before = smoothed.structures().stream().map(LabelSurfaces.Structure::mesh).toList();
            for (LabelDecimation.Options o : List.of(PRINT, budget)) {
                LabelDecimation.Result r = LabelDecimation.run(before, o, 2);
                assertSound(before.stream().map(m -> cleaned(m, o)).toList(), r);
                assertTrue(r.report().trianglesAfter() < 0.8 * r.report().trianglesBefore(), r.report().toString());
                for (int k = 0; k < before.size(); k++) {
                    LabelSurfaces.Structure s = smoothed.structures().get(k);
                    double vol = MeshQuality.signedVolume(r.meshes().get(k));
                    assertEquals(s.voxelVolume(), vol, 0.002 * s.voxelVolume(), "label " + s.label() + " after " + r.report());
                }
                assertTrue(r.report().volumeCorrection().worstChange() <= LabelDecimation.VolumeCorrection.TOLERANCE, r.report().toString());
            }
        }
    }

    @Test
    void touchingBoxesAreDecimatedTogether() {
        Volume v = volume(16, 14, 13, new double[] {0.5, 1, 2}, (x, y, z) ->
                x < 2 || y < 2 || z < 2 || x > 13 || y > 11 || z > 10 ? 0 : x < 7 ? 1 : y < 7 ? 2 : 3);
        for (LabelDecimation.Options o : new LabelDecimation.Options[] {PRINT, WEB}) {
            LabelDecimation.Result r = finishAndCheck(v, o);
            assertTrue(r.report().sharedPatches() >= 3, r.report().toString());
        }
        LabelDecimation.Result half = finishAndCheck(v, new LabelDecimation.Options(false, 0, 0.25, 0, Double.POSITIVE_INFINITY));
        assertTrue(half.report().trianglesAfter() < 0.5 * half.report().trianglesBefore(), half.report().toString());
    }

    @Test
    void nestedSpheresShareTheInnerShell() {
        int n = 36;
        Volume v = volume(n, (x, y, z) -> {
            double r = Math.sqrt((x - 17.5) * (x - 17.5) + (y - 17.5) * (y - 17.5) + (z - 17.5) * (z - 17.5));
            return r < 8 ? 1 : r < 16 ? 2 : 0;
        });
        LabelDecimation.Result r = finishAndCheck(v, PRINT);
        assertTrue(r.report().trianglesAfter() < 0.7 * r.report().trianglesBefore(), r.report().toString());
        // A triangle budget has no error bound: the correction alone keeps the volumes.
        LabelDecimation.Result w = finishAndCheck(v, new LabelDecimation.Options(false, 0, 0, 2000, Double.POSITIVE_INFINITY));
        assertTrue(w.report().trianglesAfter() <= 2000 * 1.05, w.report().toString());
    }

    @Test
    void checkerboardOfBlocksWithEightLabels() {
        Volume v = volume(12, (x, y, z) -> 1 + (x / 3 % 2) + 2 * (y / 3 % 2) + 4 * (z / 3 % 2));
        finishAndCheck(v, PRINT);
        finishAndCheck(v, WEB);
    }

    @Test
    void checkerboardOfSingleVoxelsStaysAsItIs() {
        Volume v = volume(6, (x, y, z) -> 1 + (x + y + z) % 2);
        finishAndCheck(v, PRINT);
    }

    @Test
    void randomLabelMapsKeepSharingAndDropIslands() {
        Random rnd = new Random(15);
        int n = 16;
        int[] labels = new int[n * n * n];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rnd.nextInt(4);
        }
        Volume v = volume(n, (x, y, z) -> labels[(x / 2) + n * ((y / 2) + n * (z / 2))]);
        LabelDecimation.Result r = finishAndCheck(v, PRINT);
        int removed = r.figures().stream().mapToInt(LabelDecimation.Figures::componentsRemoved).sum();
        assertTrue(removed > 0, "random blocks have islands: " + r.figures());
        finishAndCheck(v, new LabelDecimation.Options(false, 20, 0, 0, 0.1));
    }

    @Test
    void aDroppedIslandLeavesItsNeighbourClosed() {
        // Label 2: a big box and a 2-voxel island inside label 1's box.
        Volume v = volume(20, (x, y, z) -> x >= 2 && x < 9 && y >= 2 && y < 9 && z >= 2 && z < 9
                ? (x >= 4 && x < 6 && y == 5 && z == 5 ? 2 : 1)
                : x >= 10 && x < 18 && y >= 2 && y < 18 && z >= 2 && z < 18 ? 2 : 0);
        LabelDecimation.Result r = finishAndCheck(v, PRINT);
        assertEquals(1, r.figures().get(1).componentsRemoved());
        assertEquals(0, r.figures().get(0).componentsRemoved());
    }

    @Test
    void aalAtlasPrintAndWeb() throws Exception {
        java.nio.file.Path aal = java.nio.file.Path.of("/usr/share/mricron/templates/aal.nii.gz");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(aal), "mricron-data not installed");
        Volume v = dev.meshpipe.mesh.io.VolumeReader.read(aal.toString(), dev.meshpipe.mesh.VolumeLimits.defaults());
        LabelSurfaces.Result smoothed = LabelSurfaces.extract(v, LabelSelection.all(), LabelSmoothing.Options.defaults(), 2);
        List<Mesh> before = smoothed.structures().stream().map(LabelSurfaces.Structure::mesh).toList();
        for (LabelDecimation.Options o : new LabelDecimation.Options[] {PRINT, WEB}) {
            long t0 = System.nanoTime();
            LabelDecimation.Result r = LabelDecimation.run(before, o, 2);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertNull(r.report().skipped());
            assertTrue(r.report().undecimated() <= r.report().patches() / 50, r.report().toString());
            double worstVoxel = 0;
            for (int k = 0; k < before.size(); k++) {
                LabelSurfaces.Structure s = smoothed.structures().get(k);
                double kept = s.voxelVolume() - r.figures().get(k).volumeRemoved();
                worstVoxel = Math.max(worstVoxel, Math.abs(MeshQuality.signedVolume(r.meshes().get(k)) - kept) / kept);
            }
            System.out.println("aal " + (o == PRINT ? "print" : "web") + ": " + r.report() + ", " + ms + " ms, worst volume vs kept voxels "
                    + worstVoxel);
            assertTrue(r.report().trianglesAfter() < r.report().trianglesBefore() / 2, r.report().toString());
            // Without the correction small structures changed most: print up to 0.78%, web 7.3% (measured).
            assertSound(before.stream().map(m -> cleaned(m, o)).toList(), r);
            assertTrue(worstVoxel < 0.01, "every structure within 1% of its kept voxels: " + worstVoxel);
            if (o == WEB) {
                // Pinned vertices (junctions, rims) cannot go: AAL ends 10.2% above the budget.
                assertTrue(triangles(r.meshes()) <= Finishing.WEB_MAX_TRIANGLES * 1.15, r.report().toString());
            }
        }
    }
}
