package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;

/**
 * Gives each closed component of a smoothed surface back the volume it enclosed before smoothing,
 * by moving its vertices along their normals by one distance per component. Smoothing shrinks a
 * surface where it is curved; an offset along the normal changes the volume by about area times
 * distance, so a few Newton steps (d = (V0 - V) / A) restore it to within 0.01%. An offset
 * keeps the shape of a folded surface such as a cortex, where scaling about the centroid would
 * push outer folds out and leave deep ones shrunken.
 *
 * <p>A component that smoothing shrank below half its volume (a speck of a few voxels, all of whose
 * shape lies above the passband) keeps its raw positions instead: no offset or scale would give it
 * a sensible shape back.
 *
 * <p>Components with a boundary or non-manifold edge are left alone: they enclose no volume, and
 * their fixed border vertices must not move.
 *
 * <p>This is the smoothing stage's last step: its label and normal arrays, and the adjacency's,
 * go back to {@link KeptArrays} for the next smoothing.
 */
final class VolumePreservation {
    /** Newton steps stop once every component is within this relative error. */
    static final double TOLERANCE = 1e-4;
    static final int MAX_STEPS = 6;
    /** The largest offset taken, relative to the component's size (the cube root of its volume). */
    static final double MAX_OFFSET = 0.05;
    /** A component smoothed below this share of its volume goes back to its raw shape. */
    static final double MIN_KEPT_RATIO = 0.5;

    private VolumePreservation() {}

    /**
     * Returns {@code after} with each closed component's volume restored to its volume in
     * {@code before}. Moves {@code after}'s positions in place (the smoother's fresh output, which
     * no one else holds): a copy of a large surface costs more than the passes here. Spends
     * {@code adj} ({@link Adjacency#recycle}): the caller must not read its neighbours again.
     */
    static Mesh restore(Mesh before, Mesh after, Adjacency adj, int threads) {
        int nv = adj.flags.length;
        int[] label = KeptArrays.ints(KeptArrays.LABELS, nv);
        int n = labelComponents(adj, threads, label);
        Mesh out = n == 0 ? after : restore(before, after, adj, label, n, threads);
        KeptArrays.give(KeptArrays.LABELS, label);
        adj.recycle();
        return out;
    }

    /** The correction proper, over the first nv entries of the labels (n components). */
    private static Mesh restore(Mesh before, Mesh after, Adjacency adj, int[] label, int n, int threads) {
        int nv = adj.flags.length;
        boolean[] closed = new boolean[n];
        java.util.Arrays.fill(closed, true);
        for (int v = 0; v < nv; v++) {
            if (label[v] >= 0 && (adj.flags[v] & (Adjacency.BOUNDARY | Adjacency.NON_MANIFOLD)) != 0) {
                closed[label[v]] = false;
            }
        }
        float[] p = after.positions(); // the smoother's own new array: moved in place
        int[] t = after.triangles();
        // The first pass also takes the targets from the raw surface and the normals and areas,
        // which barely change between steps, so they serve every step.
        TrianglePass first = TrianglePass.run(before.positions(), p, t, label, n, threads);
        Mesh out = correct(before, p, t, label, nv, n, closed, first, threads);
        first.normal.recycle();
        return out;
    }

    /** The Newton steps: offsets (or scales, or raw shapes back) until every closed component is within tolerance. */
    private static Mesh correct(Mesh before, float[] p, int[] t, int[] label, int nv, int n, boolean[] closed,
                                TrianglePass first, int threads) {
        double[] target = first.target;
        double[] area = first.area;
        VertexWindows normal = first.normal;
        double[] vol = first.volume;
        for (int step = 0; step < MAX_STEPS; step++) {
            if (step > 0) {
                vol = TrianglePass.volumes(p, t, label, n, threads);
            }
            double[] offset = new double[n];
            double[] scale = new double[n];
            boolean[] revert = new boolean[n];
            boolean moved = false;
            boolean reverted = false;
            for (int c = 0; c < n; c++) {
                if (!closed[c] || Math.abs(vol[c] - target[c]) <= TOLERANCE * Math.abs(target[c])) {
                    continue;
                }
                double ratio = vol[c] / target[c];
                if (!(ratio >= MIN_KEPT_RATIO)) {
                    // A speck of a few voxels that smoothing shrank toward a point (every shape
                    // it has is above the passband): it keeps its raw shape.
                    revert[c] = true;
                    reverted = true;
                    continue;
                }
                double d = area[c] > 0 ? (target[c] - vol[c]) / area[c] : Double.POSITIVE_INFINITY;
                if (Math.abs(d) <= MAX_OFFSET * Math.cbrt(Math.abs(target[c]))) {
                    offset[c] = d;
                } else {
                    // An offset that large would fold the surface: scale about the centroid instead.
                    scale[c] = Math.cbrt(1 / ratio);
                }
                moved = true;
            }
            if (reverted) {
                float[] raw = before.positions();
                for (int v = 0; v < nv; v++) {
                    if (label[v] >= 0 && revert[label[v]]) {
                        System.arraycopy(raw, 3 * v, p, 3 * v, 3);
                    }
                }
            }
            if (!moved) {
                break;
            }
            double[] centroid = centroids(p, label, nv, n, scale);
            float[] q = p;
            Parallel.forRange(nv, threads, (from, to) -> {
                for (int v = from; v < to; v++) {
                    int c = label[v];
                    if (c < 0) {
                        continue;
                    }
                    int k = 3 * v;
                    if (scale[c] != 0) {
                        for (int a = 0; a < 3; a++) {
                            q[k + a] = (float) (centroid[3 * c + a] + (q[k + a] - centroid[3 * c + a]) * scale[c]);
                        }
                        continue;
                    }
                    if (offset[c] == 0) {
                        continue;
                    }
                    double nx = normal.sum(v, 0), ny = normal.sum(v, 1), nz = normal.sum(v, 2);
                    double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
                    if (len == 0) {
                        continue;
                    }
                    double s = offset[c] / len;
                    q[k] += (float) (s * nx);
                    q[k + 1] += (float) (s * ny);
                    q[k + 2] += (float) (s * nz);
                }
            });
        }
        return new Mesh(p, t);
    }

    /**
     * Each vertex's component, numbered by smallest vertex as {@link Components#label} does, -1
     * for a vertex in no triangle; from the adjacency's edges, joined in parallel. A root is always
     * the smallest vertex of its set (a larger root is linked under a smaller one, by compare and
     * set), so the result does not depend on the order the threads join in.
     */
    static int[] componentLabels(Adjacency adj, int threads) {
        int[] label = new int[adj.flags.length];
        labelComponents(adj, threads, label);
        return label;
    }

    /** Writes {@link #componentLabels} into the first nv entries of {@code parent}; returns the number of components. */
    private static int labelComponents(Adjacency adj, int threads, int[] parent) {
        int nv = adj.flags.length;
        Parallel.forRange(nv, threads, (from, to) -> {
            for (int v = from; v < to; v++) {
                parent[v] = v;
            }
        });
        Parallel.forRange(nv, threads, (from, to) -> {
            for (int v = from; v < to; v++) {
                for (int k = adj.offsets[v]; k < adj.offsets[v + 1]; k++) {
                    int w = adj.neighbors[k];
                    if (w < v) {
                        join(parent, v, w);
                    }
                }
            }
        });
        Parallel.forRange(nv, threads, (from, to) -> {
            for (int v = from; v < to; v++) {
                parent[v] = root(parent, v);
            }
        });
        // Every vertex now points at its root, the smallest vertex of its component, so one
        // ascending pass renumbers in place: a root's slot takes its number before any member
        // reads it there.
        int[] label = parent;
        int count = 0;
        for (int v = 0; v < nv; v++) {
            if (adj.degree(v) == 0) {
                label[v] = -1;
            } else {
                label[v] = parent[v] == v ? count++ : label[parent[v]];
            }
        }
        return count;
    }

    private static final java.lang.invoke.VarHandle INTS = java.lang.invoke.MethodHandles.arrayElementVarHandle(int[].class);

    private static void join(int[] parent, int a, int b) {
        while (true) {
            a = root(parent, a);
            b = root(parent, b);
            if (a == b) {
                return;
            }
            if (a < b) {
                int s = a;
                a = b;
                b = s;
            }
            if (INTS.compareAndSet(parent, a, a, b)) {
                return;
            }
        }
    }

    /**
     * Follows parents to the root, halving the path. A parent read here may be stale, but parents
     * only ever move to smaller ancestors, so a stale one is still an ancestor.
     */
    private static int root(int[] parent, int v) {
        while (parent[v] != v) {
            int g = parent[parent[v]];
            parent[v] = g;
            v = g;
        }
        return v;
    }

    /**
     * Sums over the triangles, per component, split into one range per worker with its own sums,
     * added in worker order, so the result is the same on every run with the same thread count.
     */
    static final class TrianglePass {
        double[] target;
        double[] volume;
        double[] area;
        VertexWindows normal;

        /** Raw volumes, current volumes, areas and area-weighted vertex normals, in one pass. */
        static TrianglePass run(float[] raw, float[] p, int[] t, int[] label, int n, int threads) {
            int workers = Math.max(1, Math.min(threads, t.length / 3 / 65536 + 1));
            double[][] target = new double[workers][n];
            double[][] volume = new double[workers][n];
            double[][] area = new double[workers][n];
            VertexWindows normals = new VertexWindows(workers);
            Parallel.forEachWorker(t.length / 3, workers, (w, from, to) -> {
                float[] normal = normals.open(w, t, from, to);
                int base = normals.base[w];
                for (int i = 3 * from; i < 3 * to; i += 3) {
                    int a = t[i], b = t[i + 1], c = t[i + 2];
                    int l = label[a];
                    target[w][l] += SurfaceMetrics.signedTetra(raw, a, b, c);
                    volume[w][l] += SurfaceMetrics.signedTetra(p, a, b, c);
                    area[w][l] += accumulateNormal(p, a, b, c, normal, base);
                }
            });
            TrianglePass r = new TrianglePass();
            r.target = sum(target);
            r.volume = sum(volume);
            r.area = sum(area);
            r.normal = normals;
            return r;
        }

        static double[] volumes(float[] p, int[] t, int[] label, int n, int threads) {
            int workers = Math.max(1, Math.min(threads, t.length / 3 / 65536 + 1));
            double[][] volume = new double[workers][n];
            Parallel.forEachWorker(t.length / 3, workers, (w, from, to) -> {
                for (int i = 3 * from; i < 3 * to; i += 3) {
                    volume[w][label[t[i]]] += SurfaceMetrics.signedTetra(p, t[i], t[i + 1], t[i + 2]);
                }
            });
            return sum(volume);
        }

        private static double[] sum(double[][] perWorker) {
            double[] s = perWorker[0];
            for (int w = 1; w < perWorker.length; w++) {
                for (int c = 0; c < s.length; c++) {
                    s[c] += perWorker[w][c];
                }
            }
            return s;
        }
    }

    /**
     * Per-worker sums of a 3-vector per vertex, each over the window of vertex indices its
     * triangles touch: on a marching-cubes surface, whose triangles and vertices both come in
     * scan order, the windows together are about one vertex array, not one per worker.
     */
    static final class VertexWindows {
        /** Per worker: its window, which may be longer than {@code length[w]} (kept from an earlier run). */
        final float[][] window;
        final int[] base;
        final int[] length;

        VertexWindows(int workers) {
            float[][] kept = KeptArrays.take(KeptArrays.NORMALS) instanceof float[][] k ? k : new float[0][];
            window = java.util.Arrays.copyOf(kept, workers);
            base = new int[workers];
            length = new int[workers];
        }

        /** Clears (or allocates) worker w's window for triangles [from, to) and returns it. */
        float[] open(int w, int[] t, int from, int to) {
            int lo = Integer.MAX_VALUE, hi = -1;
            for (int i = 3 * from; i < 3 * to; i++) {
                lo = Math.min(lo, t[i]);
                hi = Math.max(hi, t[i]);
            }
            base[w] = hi < 0 ? 0 : lo;
            length[w] = 3 * (hi - base[w] + 1);
            if (window[w] == null || window[w].length < length[w]) {
                window[w] = new float[length[w]];
            } else {
                java.util.Arrays.fill(window[w], 0, length[w], 0f);
            }
            return window[w];
        }

        /** Vertex v's sum of coordinate a, the windows added in worker order. */
        float sum(int v, int a) {
            float s = 0;
            for (int w = 0; w < window.length; w++) {
                int k = 3 * (v - base[w]) + a;
                if (k >= 0 && k < length[w]) {
                    s += window[w][k];
                }
            }
            return s;
        }

        /** Leaves the windows for the next smoothing. */
        void recycle() {
            KeptArrays.give(KeptArrays.NORMALS, window);
        }
    }

    /** Vertex centroids of the components being scaled (others are left 0). */
    private static double[] centroids(float[] p, int[] label, int nv, int n, double[] scale) {
        double[] sum = new double[3 * n];
        int[] count = new int[n];
        for (int v = 0; v < nv; v++) {
            int c = label[v];
            if (c >= 0 && scale[c] != 0) {
                sum[3 * c] += p[3 * v];
                sum[3 * c + 1] += p[3 * v + 1];
                sum[3 * c + 2] += p[3 * v + 2];
                count[c]++;
            }
        }
        for (int c = 0; c < n; c++) {
            if (count[c] > 0) {
                sum[3 * c] /= count[c];
                sum[3 * c + 1] /= count[c];
                sum[3 * c + 2] /= count[c];
            }
        }
        return sum;
    }

    /** Adds the triangle's area-weighted normal to its three vertices; returns its area. */
    private static double accumulateNormal(float[] p, int a, int b, int c, float[] normal, int base) {
        int i = 3 * a, j = 3 * b, k = 3 * c;
        double ux = p[j] - p[i], uy = p[j + 1] - p[i + 1], uz = p[j + 2] - p[i + 2];
        double vx = p[k] - p[i], vy = p[k + 1] - p[i + 1], vz = p[k + 2] - p[i + 2];
        float nx = (float) (uy * vz - uz * vy), ny = (float) (uz * vx - ux * vz), nz = (float) (ux * vy - uy * vx);
        int o = 3 * base;
        normal[i - o] += nx;
        normal[i - o + 1] += ny;
        normal[i - o + 2] += nz;
        normal[j - o] += nx;
        normal[j - o + 1] += ny;
        normal[j - o + 2] += nz;
        normal[k - o] += nx;
        normal[k - o + 1] += ny;
        normal[k - o + 2] += nz;
        return Math.sqrt((double) nx * nx + (double) ny * ny + (double) nz * nz) / 2;
    }
}
