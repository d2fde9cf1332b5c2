package dev.meshpipe.mesh.finish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.meshpipe.mesh.Mesh;
import java.util.Arrays;

/** Topology and distance checks for decimated meshes, written independently of the decimator. */
final class MeshChecks {
    private MeshChecks() {}

    /** Every edge has exactly two triangles, in opposite directions; every vertex's fan is one disk; no triangle is degenerate. */
    static void assertClosedManifold(Mesh m, String what) {
        assertTrue(m.triangleCount() > 0, what + ": empty");
        int border = check(m, what);
        assertEquals(0, border, what + ": border edges");
    }

    /** As {@link #assertClosedManifold} but open borders are allowed (each fan one disk or one half-disk). */
    static void assertManifoldWithBorder(Mesh m, String what) {
        check(m, what);
    }

    /** Returns the number of border half-edges. */
    private static int check(Mesh m, String what) {
        int[] t = m.triangles();
        float[] p = m.positions();
        int nv = m.vertexCount();
        long[] half = new long[t.length];
        for (int i = 0; i < t.length; i += 3) {
            int a = t[i], b = t[i + 1], c = t[i + 2];
            if (a == b || b == c || a == c) {
                fail(what + ": triangle " + i / 3 + " repeats a vertex");
            }
            double ux = p[3 * b] - p[3 * a], uy = p[3 * b + 1] - p[3 * a + 1], uz = p[3 * b + 2] - p[3 * a + 2];
            double vx = p[3 * c] - p[3 * a], vy = p[3 * c + 1] - p[3 * a + 1], vz = p[3 * c + 2] - p[3 * a + 2];
            double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
            if (nx * nx + ny * ny + nz * nz == 0) {
                fail(what + ": triangle " + i / 3 + " has no area");
            }
            for (int k = 0; k < 3; k++) {
                half[i + k] = ((long) t[i + k] << 32) | t[i + (k + 1) % 3];
            }
        }
        long[] sorted = half.clone();
        Arrays.parallelSort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                fail(what + ": edge " + (sorted[i] >>> 32) + "-" + (int) sorted[i] + " twice in the same direction (non-manifold or misoriented)");
            }
        }
        int border = 0;
        for (long h : sorted) {
            long twin = ((h & 0xffffffffL) << 32) | (h >>> 32);
            if (Arrays.binarySearch(sorted, twin) < 0) {
                border++;
            }
        }
        // Fans: per vertex, next[w1] = w2 for each triangle (v, w1, w2) must form one cycle (or one chain on a border).
        int[] count = new int[nv + 1];
        for (int v : t) {
            count[v + 1]++;
        }
        for (int v = 0; v < nv; v++) {
            count[v + 1] += count[v];
        }
        int[] from = new int[t.length];
        int[] to = new int[t.length];
        int[] fill = Arrays.copyOf(count, nv);
        for (int i = 0; i < t.length; i++) {
            int base = i - i % 3;
            int j = fill[t[i]]++;
            from[j] = t[base + (i % 3 + 1) % 3];
            to[j] = t[base + (i % 3 + 2) % 3];
        }
        for (int v = 0; v < nv; v++) {
            int lo = count[v], hi = count[v + 1];
            int n = hi - lo;
            if (n == 0) {
                continue;
            }
            // Start at the triangle whose first neighbour is no triangle's last (a border), else anywhere.
            int start = lo;
            for (int j = lo; j < hi; j++) {
                boolean isTo = false;
                for (int k = lo; k < hi; k++) {
                    isTo |= to[k] == from[j];
                }
                if (!isTo) {
                    start = j;
                }
            }
            int steps = 1;
            int j = start;
            while (true) {
                int nextJ = -1;
                for (int k = lo; k < hi; k++) {
                    if (from[k] == to[j]) {
                        nextJ = k;
                    }
                }
                if (nextJ < 0 || nextJ == start) {
                    break;
                }
                j = nextJ;
                if (++steps > n) {
                    break;
                }
            }
            if (steps != n) {
                fail(what + ": the triangles around vertex " + v + " are not one fan (" + steps + " of " + n + ")");
            }
        }
        return border;
    }

    record Distances(double p95, double mean, double max) {}

    /** One-sided distances from every vertex of {@code from} to the surface of {@code to}. */
    static Distances distances(Mesh from, Mesh to) {
        TriangleGrid grid = new TriangleGrid(to);
        float[] p = from.positions();
        int n = from.vertexCount();
        double[] d = new double[n];
        java.util.stream.IntStream.range(0, n).parallel().forEach(v -> d[v] = grid.distance(p[3 * v], p[3 * v + 1], p[3 * v + 2]));
        Arrays.sort(d);
        double sum = 0;
        for (double x : d) {
            sum += x;
        }
        return new Distances(d[(int) Math.min(n - 1, Math.ceil(0.95 * n) - 1)], sum / n, d[n - 1]);
    }

    /** Triangles bucketed in a uniform grid; queries search growing shells of cells. */
    static final class TriangleGrid {
        final Mesh m;
        final double[] min = new double[3];
        final double cell;
        final int[] dims = new int[3];
        final int[] start;
        final int[] items;

        TriangleGrid(Mesh m) {
            this.m = m;
            float[] p = m.positions();
            double[] max = new double[3];
            Arrays.fill(min, Double.POSITIVE_INFINITY);
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < p.length; i++) {
                min[i % 3] = Math.min(min[i % 3], p[i]);
                max[i % 3] = Math.max(max[i % 3], p[i]);
            }
            double volume = 1;
            for (int a = 0; a < 3; a++) {
                volume *= Math.max(max[a] - min[a], 1e-6);
            }
            cell = Math.max(Math.cbrt(volume / Math.max(1, m.triangleCount())) * 1.5, 1e-6);
            for (int a = 0; a < 3; a++) {
                dims[a] = (int) ((max[a] - min[a]) / cell) + 1;
            }
            int cells = dims[0] * dims[1] * dims[2];
            int[] t = m.triangles();
            int[] counts = new int[cells + 1];
            forEachCell(t, p, (tri, c) -> counts[c + 1]++);
            for (int c = 0; c < cells; c++) {
                counts[c + 1] += counts[c];
            }
            start = counts;
            items = new int[counts[cells]];
            int[] fill = Arrays.copyOf(counts, cells);
            forEachCell(t, p, (tri, c) -> items[fill[c]++] = tri);
        }

        interface CellVisitor {
            void visit(int tri, int cell);
        }

        private void forEachCell(int[] t, float[] p, CellVisitor visitor) {
            for (int i = 0; i < t.length; i += 3) {
                int[] lo = new int[3];
                int[] hi = new int[3];
                for (int a = 0; a < 3; a++) {
                    double mn = Math.min(p[3 * t[i] + a], Math.min(p[3 * t[i + 1] + a], p[3 * t[i + 2] + a]));
                    double mx = Math.max(p[3 * t[i] + a], Math.max(p[3 * t[i + 1] + a], p[3 * t[i + 2] + a]));
                    lo[a] = clamp((int) ((mn - min[a]) / cell), a);
                    hi[a] = clamp((int) ((mx - min[a]) / cell), a);
                }
                for (int z = lo[2]; z <= hi[2]; z++) {
                    for (int y = lo[1]; y <= hi[1]; y++) {
                        for (int x = lo[0]; x <= hi[0]; x++) {
                            visitor.visit(i / 3, x + dims[0] * (y + dims[1] * z));
                        }
                    }
                }
            }
        }

        private int clamp(int v, int axis) {
            return Math.max(0, Math.min(dims[axis] - 1, v));
        }

        double distance(double x, double y, double z) {
            int cx = clamp((int) ((x - min[0]) / cell), 0);
            int cy = clamp((int) ((y - min[1]) / cell), 1);
            int cz = clamp((int) ((z - min[2]) / cell), 2);
            double best = Double.POSITIVE_INFINITY;
            int maxR = Math.max(dims[0], Math.max(dims[1], dims[2]));
            for (int r = 0; r <= maxR; r++) {
                // Any point in shell r+1 or beyond is at least r cells away.
                if (best <= r * cell) {
                    break;
                }
                for (int dz = -r; dz <= r; dz++) {
                    for (int dy = -r; dy <= r; dy++) {
                        for (int dx = -r; dx <= r; dx++) {
                            if (Math.max(Math.abs(dx), Math.max(Math.abs(dy), Math.abs(dz))) != r) {
                                continue;
                            }
                            int gx = cx + dx, gy = cy + dy, gz = cz + dz;
                            if (gx < 0 || gy < 0 || gz < 0 || gx >= dims[0] || gy >= dims[1] || gz >= dims[2]) {
                                continue;
                            }
                            int c = gx + dims[0] * (gy + dims[1] * gz);
                            for (int i = start[c]; i < start[c + 1]; i++) {
                                best = Math.min(best, pointTriangle(x, y, z, items[i]));
                            }
                        }
                    }
                }
            }
            return best;
        }

        /** Distance from a point to a triangle (Ericson, Real-Time Collision Detection 5.1.5). */
        private double pointTriangle(double px, double py, double pz, int tri) {
            float[] p = m.positions();
            int[] t = m.triangles();
            int ia = 3 * t[3 * tri], ib = 3 * t[3 * tri + 1], ic = 3 * t[3 * tri + 2];
            double ax = p[ia], ay = p[ia + 1], az = p[ia + 2];
            double abx = p[ib] - ax, aby = p[ib + 1] - ay, abz = p[ib + 2] - az;
            double acx = p[ic] - ax, acy = p[ic + 1] - ay, acz = p[ic + 2] - az;
            double apx = px - ax, apy = py - ay, apz = pz - az;
            double d1 = abx * apx + aby * apy + abz * apz;
            double d2 = acx * apx + acy * apy + acz * apz;
            double qx, qy, qz;
            if (d1 <= 0 && d2 <= 0) {
                return dist(px, py, pz, ax, ay, az);
            }
            double bpx = px - p[ib], bpy = py - p[ib + 1], bpz = pz - p[ib + 2];
            double d3 = abx * bpx + aby * bpy + abz * bpz;
            double d4 = acx * bpx + acy * bpy + acz * bpz;
            if (d3 >= 0 && d4 <= d3) {
                return dist(px, py, pz, p[ib], p[ib + 1], p[ib + 2]);
            }
            double vc = d1 * d4 - d3 * d2;
            if (vc <= 0 && d1 >= 0 && d3 <= 0) {
                double v = d1 / (d1 - d3);
                return dist(px, py, pz, ax + v * abx, ay + v * aby, az + v * abz);
            }
            double cpx = px - p[ic], cpy = py - p[ic + 1], cpz = pz - p[ic + 2];
            double d5 = abx * cpx + aby * cpy + abz * cpz;
            double d6 = acx * cpx + acy * cpy + acz * cpz;
            if (d6 >= 0 && d5 <= d6) {
                return dist(px, py, pz, p[ic], p[ic + 1], p[ic + 2]);
            }
            double vb = d5 * d2 - d1 * d6;
            if (vb <= 0 && d2 >= 0 && d6 <= 0) {
                double w = d2 / (d2 - d6);
                return dist(px, py, pz, ax + w * acx, ay + w * acy, az + w * acz);
            }
            double va = d3 * d6 - d5 * d4;
            if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
                double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
                double bx = p[ib], by = p[ib + 1], bz = p[ib + 2];
                return dist(px, py, pz, bx + w * (p[ic] - bx), by + w * (p[ic + 1] - by), bz + w * (p[ic + 2] - bz));
            }
            double denom = 1 / (va + vb + vc);
            double v = vb * denom;
            double w = vc * denom;
            qx = ax + abx * v + acx * w;
            qy = ay + aby * v + acy * w;
            qz = az + abz * v + acz * w;
            return dist(px, py, pz, qx, qy, qz);
        }

        private static double dist(double ax, double ay, double az, double bx, double by, double bz) {
            double dx = ax - bx, dy = ay - by, dz = az - bz;
            return Math.sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
}
