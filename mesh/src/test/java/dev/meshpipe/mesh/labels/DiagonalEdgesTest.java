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
}
