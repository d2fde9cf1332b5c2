package dev.meshpipe.mesh.finish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import org.junit.jupiter.api.Test;

/** The self-intersection and nearest-triangle searches, against brute force over every triangle (pair). */
class SurfaceMetricsTest {

    @Test
    void selfIntersectionsMatchABruteForceCountOnCrossingSpheres() {
        Mesh a = FinishingTest.synthetic("sphere:24:8");
        // A second sphere, turned and shifted so that it cuts through the first at no special angle.
        Mesh b = moved(FinishingTest.synthetic("sphere:20:6"), 0.4, 0.7, 5.3, 2.1, 1.7);
        Mesh both = merged(a, b);
        long brute = bruteForce(both);
        assertTrue(brute > 50, "the spheres cross along a curve: " + brute);
        assertEquals(brute, SurfaceMetrics.selfIntersections(both, 1));
        assertEquals(brute, SurfaceMetrics.selfIntersections(both, 2));
        assertEquals(0, bruteForce(a));
        assertEquals(0, SurfaceMetrics.selfIntersections(a, 2));
    }

    @Test
    void theNearestTriangleSearchMatchesBruteForceWhateverTheLastQueryLeft() {
        Mesh to = FinishingTest.synthetic("sphere:24:8");
        // Points near the surface, inside it and far outside, in an order that jumps about, so the
        // bound the last query leaves is sometimes good, sometimes far off.
        Mesh near = moved(FinishingTest.synthetic("sphere:20:6"), 0.4, 0.7, 5.3, 2.1, 1.7);
        for (double cellEdges : new double[] {2, 1}) { // the usual cells and the query-heavy side's
            nearestMatchesBruteForce(to, near, TriangleGrid.of(to, cellEdges));
        }
    }

    private static void nearestMatchesBruteForce(Mesh to, Mesh near, TriangleGrid grid) {
        float[] q = near.positions();
        TriangleGrid.Nearest carried = new TriangleGrid.Nearest();
        java.util.Random random = new java.util.Random(7);
        for (int k = 0; k < 400; k++) {
            int v = random.nextInt(near.vertexCount());
            double s = k % 5 == 0 ? 6 : 1; // every fifth point pushed well outside
            double x = q[3 * v] * s, y = q[3 * v + 1] * s, z = q[3 * v + 2] * s;
            double brute = Double.POSITIVE_INFINITY;
            int[] t = to.triangles();
            for (int i = 0; i < t.length; i += 3) {
                brute = Math.min(brute, SurfaceMetrics.pointTriangleSquared(to.positions(), t[i], t[i + 1], t[i + 2], x, y, z));
            }
            assertEquals(brute, grid.nearestSquared(x, y, z), "fresh search at point " + k);
            assertEquals(brute, grid.nearestSquared(x, y, z, carried), "search from the last bound at point " + k);
        }
    }

    @Test
    void hausdorffMatchesBruteForceOnOneThreadAndWithBothDirectionsAtOnce() {
        // Unequal vertex counts, so one direction gets the finer grid and the other runs beside it.
        Mesh a = FinishingTest.synthetic("sphere:24:8");
        Mesh b = moved(FinishingTest.synthetic("sphere:16:5"), 0.3, 0.2, 0.9, 0.4, 0.6);
        double[] ab = bruteForceDistances(a, b);
        double[] ba = bruteForceDistances(b, a);
        for (int threads : new int[] {1, 2}) {
            SurfaceMetrics.Hausdorff h = SurfaceMetrics.hausdorff(a, b, threads);
            assertEquals(Math.max(ab[ab.length - 1], ba[ba.length - 1]), h.max(), "max, " + threads + " threads");
            assertEquals(Math.max(p95(ab), p95(ba)), h.p95(), "p95, " + threads + " threads");
            assertEquals(Math.max(mean(ab), mean(ba)), h.mean(), 1e-6, "mean, " + threads + " threads");
            assertEquals(ab.length + ba.length, h.samples());
            assertEquals(h, SurfaceMetrics.hausdorff(b, a, threads), "symmetric");
        }
    }

    @Test
    void hausdorffBetweenASurfaceAndItselfSmoothedInPlaceMatchesBruteForce() {
        // The same triangles array with every vertex moved its own way (as label smoothing moves
        // corners): each search starts from one of the vertex's own triangles on the other side.
        Mesh raw = FinishingTest.synthetic("sphere:24:8");
        float[] p = raw.positions().clone();
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.4 * random.nextGaussian());
        }
        Mesh smoothed = new Mesh(p, raw.triangles());
        double[] ab = bruteForceDistances(raw, smoothed);
        double[] ba = bruteForceDistances(smoothed, raw);
        for (int threads : new int[] {1, 2}) {
            SurfaceMetrics.Hausdorff h = SurfaceMetrics.hausdorff(raw, smoothed, threads);
            assertEquals(Math.max(ab[ab.length - 1], ba[ba.length - 1]), h.max(), "max, " + threads + " threads");
            assertEquals(Math.max(p95(ab), p95(ba)), h.p95(), "p95, " + threads + " threads");
            assertEquals(Math.max(mean(ab), mean(ba)), h.mean(), 1e-6, "mean, " + threads + " threads");
            assertEquals(h, SurfaceMetrics.hausdorff(smoothed, raw, threads), "symmetric");
        }
    }

    @Test
    void selectionGivesTheSortedOrderStatistic() {
        java.util.Random random = new java.util.Random(3);
        for (int n : new int[] {1, 2, 31, 33, 100, 1000, 5000}) {
            for (int dup : new int[] {3, 1000000}) { // many equal values, and nearly none
                float[] d = new float[n];
                for (int i = 0; i < n; i++) {
                    d[i] = random.nextInt(dup) * 0.25f;
                }
                float[] sorted = d.clone();
                java.util.Arrays.sort(sorted);
                for (int k : new int[] {0, n / 2, (int) Math.ceil(0.95 * n) - 1, n - 1}) {
                    assertEquals(sorted[k], SurfaceMetrics.select(d.clone(), k), "n " + n + ", k " + k);
                }
            }
        }
    }

    /** Every vertex of from to the nearest of to's triangles, as the float figures keep it, sorted. */
    private static double[] bruteForceDistances(Mesh from, Mesh to) {
        float[] p = from.positions();
        int[] t = to.triangles();
        double[] d = new double[from.vertexCount()];
        for (int v = 0; v < d.length; v++) {
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < t.length; i += 3) {
                best = Math.min(best, SurfaceMetrics.pointTriangleSquared(to.positions(), t[i], t[i + 1], t[i + 2],
                        p[3 * v], p[3 * v + 1], p[3 * v + 2]));
            }
            d[v] = (float) Math.sqrt(best);
        }
        java.util.Arrays.sort(d);
        return d;
    }

    private static double p95(double[] sorted) {
        return sorted[(int) Math.ceil(0.95 * sorted.length) - 1];
    }

    private static double mean(double[] d) {
        return java.util.Arrays.stream(d).sum() / d.length;
    }

    @Test
    void selfIntersectionsMatchABruteForceCountOnAPiercedSheet() {
        // A flat sheet of 2 x 12 x 12 triangles and a fan of long thin triangles stabbing through it
        // in several places, some through a cell edge or corner of the search grid.
        int n = 12;
        float[] p = new float[3 * ((n + 1) * (n + 1) + 3 * 20)];
        int[] t = new int[3 * (2 * n * n + 20)];
        int v = 0;
        int k = 0;
        for (int y = 0; y <= n; y++) {
            for (int x = 0; x <= n; x++) {
                p[3 * v] = x;
                p[3 * v + 1] = y;
                p[3 * v + 2] = 0.01f * ((x * 7 + y * 3) % 5);
                v++;
            }
        }
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int c = y * (n + 1) + x;
                t[k++] = c;
                t[k++] = c + 1;
                t[k++] = c + n + 2;
                t[k++] = c;
                t[k++] = c + n + 2;
                t[k++] = c + n + 1;
            }
        }
        for (int s = 0; s < 20; s++) {
            double cx = 0.37 + 0.57 * s, cy = 0.81 + 0.49 * s;
            float[] q = {(float) cx, (float) cy, -1.3f, (float) cx + 0.3f, (float) cy - 0.2f, 1.1f,
                (float) cx + 2.1f, (float) cy + 0.4f, 0.9f};
            for (int j = 0; j < 3; j++) {
                System.arraycopy(q, 3 * j, p, 3 * v, 3);
                t[k++] = v++;
            }
        }
        Mesh m = new Mesh(p, t);
        long brute = bruteForce(m);
        assertTrue(brute >= 20, "every stab crosses the sheet: " + brute);
        assertEquals(brute, SurfaceMetrics.selfIntersections(m, 1));
        assertEquals(brute, SurfaceMetrics.selfIntersections(m, 2));
    }

    /** Every pair sharing no vertex, with its own segment-through-triangle test. */
    static long bruteForce(Mesh m) {
        float[] p = m.positions();
        int[] t = m.triangles();
        long n = 0;
        for (int i = 0; i < t.length; i += 3) {
            for (int j = i + 3; j < t.length; j += 3) {
                if (shareVertex(t, i, j)) {
                    continue;
                }
                boolean cross = false;
                for (int e = 0; e < 3 && !cross; e++) {
                    cross = stabs(p, t[i + e], t[i + (e + 1) % 3], t[j], t[j + 1], t[j + 2])
                            || stabs(p, t[j + e], t[j + (e + 1) % 3], t[i], t[i + 1], t[i + 2]);
                }
                if (cross) {
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean shareVertex(int[] t, int i, int j) {
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                if (t[i + a] == t[j + b]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Segment qr meets the open triangle abc at one point strictly inside it (barycentric, not orientations). */
    private static boolean stabs(float[] p, int q, int r, int a, int b, int c) {
        double[] pa = at(p, a), pb = at(p, b), pc = at(p, c), pq = at(p, q), pr = at(p, r);
        double[] u = sub(pb, pa), w = sub(pc, pa), d = sub(pr, pq);
        double[] nrm = cross(u, w);
        double denom = dot(nrm, d);
        if (denom == 0) {
            return false;
        }
        double s = dot(nrm, sub(pa, pq)) / denom;
        if (!(s > 0 && s < 1)) {
            return false;
        }
        double[] x = {pq[0] + s * d[0] - pa[0], pq[1] + s * d[1] - pa[1], pq[2] + s * d[2] - pa[2]};
        double uu = dot(u, u), uw = dot(u, w), ww = dot(w, w), xu = dot(x, u), xw = dot(x, w);
        double det = uu * ww - uw * uw;
        double beta = (ww * xu - uw * xw) / det;
        double gamma = (uu * xw - uw * xu) / det;
        return beta > 0 && gamma > 0 && beta + gamma < 1;
    }

    private static double[] at(float[] p, int v) {
        return new double[] {p[3 * v], p[3 * v + 1], p[3 * v + 2]};
    }

    private static double[] sub(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    /** Rotated about z by {@code rz} and about x by {@code rx}, then shifted. */
    static Mesh moved(Mesh m, double rz, double rx, double dx, double dy, double dz) {
        float[] p = m.positions().clone();
        double cz = Math.cos(rz), sz = Math.sin(rz), cx = Math.cos(rx), sx = Math.sin(rx);
        for (int i = 0; i < p.length; i += 3) {
            double x = cz * p[i] - sz * p[i + 1];
            double y = sz * p[i] + cz * p[i + 1];
            double z = p[i + 2];
            double y2 = cx * y - sx * z;
            double z2 = sx * y + cx * z;
            p[i] = (float) (x + dx);
            p[i + 1] = (float) (y2 + dy);
            p[i + 2] = (float) (z2 + dz);
        }
        return new Mesh(p, m.triangles());
    }

    static Mesh merged(Mesh a, Mesh b) {
        float[] p = new float[a.positions().length + b.positions().length];
        System.arraycopy(a.positions(), 0, p, 0, a.positions().length);
        System.arraycopy(b.positions(), 0, p, a.positions().length, b.positions().length);
        int[] t = new int[a.triangles().length + b.triangles().length];
        System.arraycopy(a.triangles(), 0, t, 0, a.triangles().length);
        int off = a.vertexCount();
        for (int i = 0; i < b.triangles().length; i++) {
            t[a.triangles().length + i] = b.triangles()[i] + off;
        }
        return new Mesh(p, t);
    }
}
