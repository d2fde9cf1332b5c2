package dev.meshpipe.mesh.labels;

import static dev.meshpipe.mesh.labels.LabelSurfacesTest.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Volume;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Diagonal edges: a label in two diagonal voxels of the four around a voxel edge. Where the label's
 * two voxels are joined again around both ends of the edge (a pinch), one vertex per corner and
 * sheet used to leave that edge in four triangles; the label now connects through the edge with a
 * thin neck, its two sides moved apart, so every structure is manifold by index and, at the necks,
 * by welded position too (docs/labels.md).
 */
class DiagonalEdgesTest {

    /**
     * Label 1 fills a 2x2 layer below and above; in the middle layer it holds two diagonal voxels,
     * the other two hold x and y: the edge between the middle voxels is a pinch for label 1.
     */
    static Volume pinch(int x, int y) {
        return volume(4, 4, 5, new double[] {1, 1, 1}, (i, j, k) -> {
            if (i < 1 || i > 2 || j < 1 || j > 2 || k < 1 || k > 3) {
                return 0;
            }
            if (k != 2 || i == j) {
                return 1;
            }
            return i == 2 ? x : y;
        });
    }

    /** Closed and manifold by index and by welded position, raw and smoothed, boundaries shared. */
    static void assertManifold(Volume v) {
        for (LabelSmoothing.Options smoothing : new LabelSmoothing.Options[] {null, LabelSmoothingTest.SMOOTH}) {
            LabelSurfaces.Result r = LabelSurfaces.extract(v, LabelSelection.all(), smoothing, 2);
            for (LabelSurfaces.Structure s : r.structures()) {
                String what = "label " + s.label() + (smoothing == null ? " raw" : " smoothed");
                Topology t = Topology.of(s.mesh());
                assertTrue(t.closedManifold(), what + ": " + t);
                assertEquals(0, Topology.welded(s.mesh()).badEdges(), what + " welded by position");
                assertTrue(MeshQuality.of(s.mesh()).watertight(), what);
                double tolerance = smoothing == null ? 1e-3 : 0.01;
                assertEquals(s.voxelVolume(), MeshQuality.signedVolume(s.mesh()), tolerance * s.voxelVolume(), what + " volume");
            }
            // Shared triangles found by position: two per voxel face between two labels, never the same way round.
            LabelSmoothingTest.assertSmoothSound(v, r);
        }
    }

    @Test
    void pinchBetweenTwoOtherLabels() {
        assertManifold(pinch(2, 3));
    }

    @Test
    void pinchWhereTheOtherTwoVoxelsAreOneLabel() {
        // Labels alternate 1, 2, 1, 2 around the edge: 1 is joined around both ends, so 1 connects and
        // 2's voxels stay apart (2 cannot be joined around either end: that would take three of the
        // four voxels there, which 1 holds).
        assertManifold(pinch(2, 2));
    }

    @Test
    void pinchAgainstBackground() {
        assertManifold(pinch(0, 0));
        assertManifold(pinch(2, 0));
    }

    @Test
    void theNeckSplitsTheEndCornersIntoTwoPoints() {
        LabelSurfaces.Structure s = LabelSurfaces.extract(pinch(2, 3), LabelSelection.all(), 1).structures().get(0);
        // The centre corners of the middle layer's faces, at grid (1.5, 1.5, 1.5) and (1.5, 1.5, 2.5): two copies each.
        int copies = 0;
        float[] p = s.mesh().positions();
        for (int i = 0; i < p.length; i += 3) {
            if (Math.abs(p[i] - 1.5f) < 0.01f && Math.abs(p[i + 1] - 1.5f) < 0.01f && Math.abs(p[i + 2] - 2) < 0.6f) {
                copies++;
                assertTrue(p[i] != 1.5f && p[i + 1] != 1.5f, "each copy is off the corner");
            }
        }
        assertEquals(4, copies);
    }

    /** Random noise, the worst case: no pinch by index, raw and smoothed; position-coincident edges counted. */
    @Test
    void randomLabelMapsHaveNoPinchedEdges() {
        Random rnd = new Random(15);
        long edges = 0, welded = 0;
        for (int trial = 0; trial < 40; trial++) {
            int labels = 1 + rnd.nextInt(4);
            float[] d = new float[10 * 9 * 8];
            for (int i = 0; i < d.length; i++) {
                d[i] = rnd.nextInt(labels + 1);
            }
            Volume v = new Volume(10, 9, 8, d, new double[] {1, 1, 1}, Volume.identity(), true, Double.NaN, "random");
            LabelSmoothing.Options smoothing = trial % 4 == 0 ? LabelSmoothingTest.SMOOTH : null;
            for (LabelSurfaces.Structure s : LabelSurfaces.extract(v, LabelSelection.all(), smoothing, 2).structures()) {
                Topology t = Topology.of(s.mesh());
                assertTrue(t.closedManifold(), "trial " + trial + " label " + s.label() + ": " + t);
                edges += s.mesh().triangleCount() * 3L / 2;
                welded += Topology.welded(s.mesh()).badEdges() / 2;
            }
        }
        System.out.printf("random label maps: %d edges, 0 pinched by index, %d in four triangles once welded by position%n",
                edges, welded);
    }

    /**
     * The twelve voxels around a voxel edge along axis {@code a}, given as the octants of its
     * lower and upper end corners (octant o = x | y << 1 | z << 2, as in {@link DiagonalEdges#octants}),
     * in a block 3 voxels long along a and 2 across, background around.
     */
    static Volume aroundEdge(int a, int[] lo, int[] hi) {
        int[] n = {2, 2, 2};
        n[a] = 3;
        float[] d = new float[12];
        for (int end = 0; end < 2; end++) {
            int[] oct = end == 0 ? lo : hi;
            for (int o = 0; o < 8; o++) {
                int[] at = {o & 1, o >> 1 & 1, o >> 2 & 1};
                at[a] += end;
                int i = at[0] + n[0] * (at[1] + n[1] * at[2]);
                assertTrue(end == 0 || at[a] == 2 || d[i] == oct[o], "the ends share the four voxels around the edge");
                d[i] = oct[o];
            }
        }
        return new Volume(n[0], n[1], n[2], d, new double[] {1, 1, 1}, Volume.identity(), true, Double.NaN, "edge");
    }

    /**
     * From AAL (labels renamed): label 2 holds two diagonal voxels around an edge along y and is
     * joined around its upper end only; background holds the other two, joined around the lower
     * end only, which has two more diagonal edges (label 1 against background). Main kept both pairs
     * apart there (several diagonal edges at an end), leaving the edge in four of label 2's
     * triangles once welded by position; label 2 is diagonal at no other edge at either end, so it
     * now connects with a neck.
     */
    @Test
    void neckBesideOtherDiagonalEdges() {
        assertManifold(aroundEdge(1, new int[] {1, 0, 0, 2, 0, 0, 2, 0}, new int[] {0, 2, 2, 2, 2, 0, 2, 0}));
    }

    /**
     * From AAL, a configuration no choice mends: label 1 holds two diagonal voxels around an edge
     * along z, background and label 2 the other two; label 1 connecting would join its walls around
     * both ends (a pinch by index), and apart its two copies share the corners' points, since each
     * of the four faces around the edge is shared with background or label 2 and label 2's own
     * sheet joins two of them (docs/labels.md). So the edge stays in four of label 1's triangles
     * once welded, and quality.json says so.
     */
    @Test
    void anEdgeThatStaysInFourTrianglesByPositionIsReported() throws Exception {
        Volume v = aroundEdge(2, new int[] {4, 0, 4, 4, 1, 0, 2, 1}, new int[] {1, 0, 2, 1, 3, 3, 2, 1});
        LabelSurfaces.Result r = LabelSurfaces.extract(v, LabelSelection.all(), null, 1);
        LabelSurfaces.Structure one = r.structures().get(0);
        assertEquals(1, one.label());
        assertTrue(Topology.of(one.mesh()).closedManifold());
        assertEquals(Topology.welded(one.mesh()).badEdges() / 2, WeldedEdges.notInTwoTriangles(one.mesh()));
        assertTrue(WeldedEdges.notInTwoTriangles(one.mesh()) > 0);
        java.util.Map<String, java.io.ByteArrayOutputStream> files = new java.util.HashMap<>();
        LabelJob.Quality q = LabelJob.run(v, new LabelJob.LabelOptions(LabelSelection.all(), null,
                java.util.List.of(dev.meshpipe.mesh.MeshFormat.STL), null, false, 1), null, name -> {
                    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                    files.put(name, b);
                    return b;
                });
        LabelJob.StructureQuality s1 = q.structures().get(0);
        assertTrue(s1.manifold());
        assertEquals(false, s1.manifoldByPosition());
        assertEquals(WeldedEdges.notInTwoTriangles(one.mesh()), s1.pinchedEdgesByPosition());
        String json = files.get(LabelJob.QUALITY_FILE).toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(json.contains("\"manifoldByPosition\" : false"), json);
    }
}
