package dev.meshpipe.mesh.finish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The smoother's fast loop (fixed-width neighbour rows, two buffers, fixed vertices as their own
 * neighbour) against the filter written out plainly in doubles, on surfaces that take every path:
 * poles of degree above the row width, an open border whose vertices stay put, several components.
 */
class WindowedSincSmootherTest {

    /** A UV sphere: the poles have {@code segments} neighbours each. */
    static Mesh uvSphere(int segments, int rings, double r, double cx) {
        List<float[]> pts = new ArrayList<>();
        List<int[]> tris = new ArrayList<>();
        pts.add(new float[] {(float) cx, 0, (float) r});
        for (int i = 1; i < rings; i++) {
            double th = Math.PI * i / rings;
            for (int j = 0; j < segments; j++) {
                double ph = 2 * Math.PI * j / segments;
                pts.add(new float[] {(float) (cx + r * Math.sin(th) * Math.cos(ph)), (float) (r * Math.sin(th) * Math.sin(ph)),
                        (float) (r * Math.cos(th))});
            }
        }
        pts.add(new float[] {(float) cx, 0, (float) -r});
        int south = pts.size() - 1;
        for (int j = 0; j < segments; j++) {
            int j1 = (j + 1) % segments;
            tris.add(new int[] {0, 1 + j, 1 + j1});
            for (int i = 1; i < rings - 1; i++) {
                int a = 1 + (i - 1) * segments + j, b = 1 + (i - 1) * segments + j1;
                int c = 1 + i * segments + j, d = 1 + i * segments + j1;
                tris.add(new int[] {a, c, d});
                tris.add(new int[] {a, d, b});
            }
            int last = 1 + (rings - 2) * segments;
            tris.add(new int[] {last + j, south, last + j1});
        }
        return mesh(pts, tris);
    }

    static Mesh mesh(List<float[]> pts, List<int[]> tris) {
        float[] p = new float[3 * pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            System.arraycopy(pts.get(i), 0, p, 3 * i, 3);
        }
        int[] t = new int[3 * tris.size()];
        for (int i = 0; i < tris.size(); i++) {
            System.arraycopy(tris.get(i), 0, t, 3 * i, 3);
        }
        return new Mesh(p, t);
    }

    static Mesh join(Mesh a, Mesh b) {
        float[] p = new float[a.positions().length + b.positions().length];
        System.arraycopy(a.positions(), 0, p, 0, a.positions().length);
        System.arraycopy(b.positions(), 0, p, a.positions().length, b.positions().length);
        int[] t = new int[a.triangles().length + b.triangles().length];
        System.arraycopy(a.triangles(), 0, t, 0, a.triangles().length);
        for (int i = 0; i < b.triangles().length; i++) {
            t[a.triangles().length + i] = b.triangles()[i] + a.vertexCount();
        }
        return new Mesh(p, t);
    }

    /** The sphere without its south cap: an open border. */
    static Mesh openSphere() {
        Mesh s = uvSphere(12, 8, 3, 10);
        int[] t = s.triangles();
        int south = s.vertexCount() - 1;
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < t.length; i += 3) {
            if (t[i] != south && t[i + 1] != south && t[i + 2] != south) {
                kept.add(i);
            }
        }
        int[] k = new int[3 * kept.size()];
        for (int i = 0; i < kept.size(); i++) {
            System.arraycopy(t, kept.get(i), k, 3 * i, 3);
        }
        return new Mesh(s.positions(), k);
    }

    /** VTK's filter as written in the paper, in doubles, over the adjacency's lists. */
    static float[] reference(Mesh mesh, int iterations, double passBand) {
        Adjacency adj = Adjacency.of(mesh, 1);
        double[] c = WindowedSincSmoother.coefficients(iterations, passBand);
        float[] src = mesh.positions();
        int n = src.length;
        double[] min = {1e30, 1e30, 1e30}, max = {-1e30, -1e30, -1e30};
        for (int i = 0; i < n; i++) {
            min[i % 3] = Math.min(min[i % 3], src[i]);
            max[i % 3] = Math.max(max[i % 3], src[i]);
        }
        double[] x0 = new double[n];
        for (int i = 0; i < n; i++) {
            x0[i] = src[i] - (float) ((min[i % 3] + max[i % 3]) / 2);
        }
        double[] prev = x0, cur = new double[n], sum = new double[n];
        for (int i = 0; i < n; i++) {
            sum[i] = c[0] * x0[i];
        }
        for (int it = 1; it <= iterations; it++) {
            double[] next = new double[n];
            for (int v = 0; v < n / 3; v++) {
                boolean fixed = WindowedSincSmoother.fixed(adj, v);
                for (int a = 0; a < 3; a++) {
                    double x = it == 1 ? x0[3 * v + a] : cur[3 * v + a];
                    double mean = 0;
                    for (int k = adj.offsets[v]; k < adj.offsets[v + 1]; k++) {
                        mean += it == 1 ? x0[3 * adj.neighbors[k] + a] : cur[3 * adj.neighbors[k] + a];
                    }
                    mean /= Math.max(1, adj.degree(v));
                    next[3 * v + a] = fixed ? x : it == 1 ? (x + mean) / 2 : x + mean - prev[3 * v + a];
                    sum[3 * v + a] += c[it] * next[3 * v + a];
                }
            }
            if (it > 1) {
                prev = cur;
            }
            cur = next;
        }
        Adjacency a = adj;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = WindowedSincSmoother.fixed(a, i / 3) ? src[i] : (float) (sum[i] + (float) ((min[i % 3] + max[i % 3]) / 2));
        }
        return out;
    }

    static void assertMatchesReference(Mesh mesh, int iterations, double passBand) {
        float[] want = reference(mesh, iterations, passBand);
        for (int threads : new int[] {1, 3}) {
            float[] got = WindowedSincSmoother.smooth(mesh, iterations, passBand, threads).positions();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4, "coordinate " + i + ", " + threads + " threads");
            }
        }
    }

    @Test
    void polesAboveTheRowWidthFollowTheFilter() {
        Mesh sphere = uvSphere(WindowedSincSmoother.Stencil.WIDTH + 5, 9, 5, 0);
        assertTrue(Adjacency.of(sphere, 1).degree(0) > WindowedSincSmoother.Stencil.WIDTH);
        assertMatchesReference(sphere, 20, 0.1);
        assertMatchesReference(sphere, 7, 0.01);
    }

    @Test
    void borderVerticesStayAndTheRestFollowTheFilter() {
        Mesh open = openSphere();
        assertTrue(Adjacency.of(open, 1).boundaryEdges > 0);
        assertMatchesReference(open, 20, 0.1);
        float[] got = WindowedSincSmoother.smooth(open, 20, 0.1, 2).positions();
        Adjacency adj = Adjacency.of(open, 1);
        for (int v = 0; v < open.vertexCount(); v++) {
            if (WindowedSincSmoother.fixed(adj, v)) {
                for (int a = 0; a < 3; a++) {
                    assertEquals(open.positions()[3 * v + a], got[3 * v + a], 0.0, "fixed vertex " + v);
                }
            }
        }
    }

    @Test
    void componentsAreLabelledAsComponentsDoes() {
        Mesh three = join(join(uvSphere(10, 6, 2, 0), openSphere()), uvSphere(20, 12, 4, -20));
        // a vertex in no triangle
        float[] p = java.util.Arrays.copyOf(three.positions(), three.positions().length + 3);
        Mesh withLoose = new Mesh(p, three.triangles());
        Adjacency adj = Adjacency.of(withLoose, 2);
        for (int threads : new int[] {1, 2, 4}) {
            assertArrayEquals(Components.label(withLoose).vertexLabel(), VolumePreservation.componentLabels(adj, threads));
        }
    }

    @Test
    void marchingCubesSurfaceMatchesTheReference() {
        Mesh raw = FinishingTest.synthetic("gyroid:48:2");
        assertMatchesReference(raw, 20, 0.01);
    }

    static final Finishing.Options KEPT_VOLUME =
            new Finishing.Options("test", 20, 0.1, null, true, false, 0, false, 0, 0, Double.POSITIVE_INFINITY);

    /** The whole stage (adjacency, smoothing, volume correction) with nothing kept from before. */
    static float[] freshStage(Mesh mesh) {
        KeptArrays.clear();
        return Finishing.smooth(mesh, KEPT_VOLUME, 2).positions();
    }

    @Test
    void keptBuffersGiveTheSameSurfaceAsFreshOnes() {
        Mesh big = FinishingTest.synthetic("gyroid:48:2");
        Mesh small = join(openSphere(), uvSphere(20, 12, 4, -20));
        float[] bigFresh = freshStage(big);
        float[] smallFresh = freshStage(small);
        // Each run now finds the buffers the other left: longer than it needs, full of the other's numbers.
        for (int round = 0; round < 2; round++) {
            assertArrayEquals(bigFresh, Finishing.smooth(big, KEPT_VOLUME, 2).positions(), "round " + round);
            assertArrayEquals(smallFresh, Finishing.smooth(small, KEPT_VOLUME, 2).positions(), "round " + round);
        }
        assertArrayEquals(bigFresh, WindowedSincSmootherTest.freshStage(big));
    }

    @Test
    void twoSmoothingsAtOnceNeverShareABuffer() throws Exception {
        Mesh a = FinishingTest.synthetic("gyroid:40:2");
        Mesh b = FinishingTest.synthetic("torus:48");
        float[] wantA = freshStage(a);
        float[] wantB = freshStage(b);
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 6; round++) {
                var gotA = two.submit(() -> Finishing.smooth(a, KEPT_VOLUME, 2).positions());
                var gotB = two.submit(() -> Finishing.smooth(b, KEPT_VOLUME, 2).positions());
                assertArrayEquals(wantA, gotA.get(), "round " + round);
                assertArrayEquals(wantB, gotB.get(), "round " + round);
            }
        } finally {
            two.shutdown();
        }
    }
}
