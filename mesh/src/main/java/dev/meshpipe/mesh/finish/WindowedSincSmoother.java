package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;

/**
 * Windowed-sinc smoothing, the algorithm of VTK 9.1's {@code vtkWindowedSincPolyDataFilter}
 * (Taubin, Zhang and Golub, "Optimal surface smoothing as filter design", 1996): a low-pass filter
 * on the mesh's Laplacian spectrum, written as a Chebyshev expansion of the ideal filter with a
 * Hamming window, one Laplacian per iteration.
 *
 * <p>Settings as 3D Slicer uses it for segment surfaces: coordinates normalised (centred, so the
 * filter's small DC error does not pull the surface toward the origin), feature-edge smoothing off,
 * boundary smoothing off. Vertices on a boundary edge (an open border at the volume edge) or a
 * non-manifold edge do not move, so borders stay where marching cubes put them and the
 * connectivity never changes: a closed surface stays closed.
 *
 * <p>VTK runs the Chebyshev recurrence x(k+1) = 2 A x(k) - x(k-1) forward and adds c(k) x(k) to a
 * sum at every step. This evaluates the same polynomial backward, by Clenshaw's recurrence
 * b(k) = c(k) x0 + 2 A b(k+1) - b(k+2), whose last step is the output: no sum to read and write
 * on every pass, which on a large surface is an eighth of the memory traffic. In exact arithmetic
 * the two are the same filter; in floats they agree to well under a thousandth of a voxel
 * (WindowedSincSmootherTest checks against VTK's order written out in doubles).
 *
 * <p>The loop runs over flat float arrays and fixed-width neighbour rows ({@link Stencil}), over
 * vertex ranges in parallel; each step reads the previous step's positions and writes over the
 * one before, which only its own vertex reads, so ranges never share writes. The centred input
 * and two step buffers are all the memory it takes beyond the rows, and they are kept in
 * {@link KeptArrays} for the next smoothing with the rows: on a large surface fresh memory
 * costs as much as the arithmetic, and the output is the only fresh array.
 */
public final class WindowedSincSmoother {
    public static final int MAX_ITERATIONS = 1000;

    private WindowedSincSmoother() {}

    /**
     * Slicer's single smoothing factor f in [0, 1]: 20 iterations, passband 10^(-4 f)
     * (vtkBinaryLabelmapToClosedSurfaceConversionRule: 0.25 is average smoothing, 0.5 more, 1 very strong).
     */
    public static double passBandForFactor(double factor) {
        return Math.pow(10.0, -4.0 * factor);
    }

    public static final int SLICER_ITERATIONS = 20;

    /** Returns the smoothed mesh; same triangles array, new positions. */
    public static Mesh smooth(Mesh mesh, int iterations, double passBand, int threads) {
        return smooth(mesh, Adjacency.of(mesh, threads), iterations, passBand, threads);
    }

    static Mesh smooth(Mesh mesh, Adjacency adj, int iterations, double passBand, int threads) {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new MeshException(MeshError.INVALID_PARAMETER, "smoothing iterations must be 1 to " + MAX_ITERATIONS);
        }
        if (!(passBand > 0 && passBand < 2)) {
            throw new MeshException(MeshError.INVALID_PARAMETER, "smoothing passband must be above 0 and below 2");
        }
        int nv = mesh.vertexCount();
        if (nv == 0) {
            return mesh;
        }
        double[] c = coefficients(iterations, passBand);
        float[] src = mesh.positions();
        double[] centre = centre(src, nv, threads);
        float cx = (float) centre[0], cy = (float) centre[1], cz = (float) centre[2];
        Stencil stencil = Stencil.of(adj, threads);
        // A = (I + W) / 2, W the neighbour averaging (VTK's first step x1 = x0 - K x0 / 2, K = I - W),
        // so 2 A b = b + W b. Step buffers are one vertex longer: the padding vertex at index nv,
        // which short rows point at, stays at 0. The centred input is read only at each vertex.
        float[] x0 = KeptArrays.floats(KeptArrays.POSITIONS, 3 * nv);
        float[] later = KeptArrays.floats(KeptArrays.STEP, 3 * nv + 3); // b(k+1)
        float[] latest = KeptArrays.floats(KeptArrays.OLDER_STEP, 3 * nv + 3); // b(k+2), then b(k)
        java.util.Arrays.fill(later, 3 * nv, 3 * nv + 3, 0f);
        java.util.Arrays.fill(latest, 3 * nv, 3 * nv + 3, 0f);
        float cn = (float) c[iterations];
        float[] bn = later;
        Parallel.forRange(nv, threads, (from, to) -> {
            for (int p = 3 * from; p < 3 * to; p += 3) {
                x0[p] = src[p] - cx;
                x0[p + 1] = src[p + 1] - cy;
                x0[p + 2] = src[p + 2] - cz;
                bn[p] = cn * x0[p];
                bn[p + 1] = cn * x0[p + 1];
                bn[p + 2] = cn * x0[p + 2];
            }
        });
        // b(n+1) = 0: the first step reads b(n) in its place, times 0 (the other buffer holds
        // whatever its last user left).
        for (int k = iterations - 1; k >= 1; k--) {
            float ck = (float) c[k];
            float keep = k == iterations - 1 ? 0f : 1f;
            float[] b1 = later, b2 = keep == 0 ? later : latest, b = latest;
            Parallel.forRange(nv, threads, (from, to) -> stencil.step(from, to, x0, b1, b2, ck, 1f, keep, b));
            latest = later;
            later = b;
        }
        // The output, c0 x0 + A b(1) - b(2), back where the input was, and the fixed vertices exactly there.
        float[] out = new float[3 * nv];
        float[] b1 = later, b2 = iterations == 1 ? later : latest;
        float c0 = (float) c[0], keep = iterations == 1 ? 0f : 1f;
        Parallel.forRange(nv, threads, (from, to) -> {
            stencil.step(from, to, x0, b1, b2, c0, 0.5f, keep, out);
            for (int v = from; v < to; v++) {
                int p = 3 * v;
                if (stencil.isFixed(v)) {
                    out[p] = src[p];
                    out[p + 1] = src[p + 1];
                    out[p + 2] = src[p + 2];
                } else {
                    out[p] += cx;
                    out[p + 1] += cy;
                    out[p + 2] += cz;
                }
            }
        });
        KeptArrays.give(KeptArrays.POSITIONS, x0);
        KeptArrays.give(KeptArrays.STEP, later);
        KeptArrays.give(KeptArrays.OLDER_STEP, latest);
        stencil.recycle();
        return new Mesh(out, mesh.triangles());
    }

    /**
     * The neighbour averaging W as the loop wants it: each vertex's first {@link #WIDTH} neighbours
     * as position offsets (3 w) in fixed-width rows padded with the zero vertex at index nv, and
     * 1 / degree. A fixed row loop has no data-dependent exit, which the branch predictor cannot
     * guess on a surface whose degrees run from 3 to 13. The few vertices of higher degree (under
     * 1% on a marching-cubes surface) are marked by a weight of 0 and read the adjacency instead.
     * A fixed vertex is its own only neighbour, so every step leaves it where it is.
     */
    static final class Stencil {
        static final int WIDTH = 8;
        private final int[] rows;
        private final float[] weight;
        private final Adjacency adj;

        private Stencil(int[] rows, float[] weight, Adjacency adj) {
            this.rows = rows;
            this.weight = weight;
            this.adj = adj;
        }

        static Stencil of(Adjacency adj, int threads) {
            int nv = adj.flags.length;
            int[] rows = KeptArrays.ints(KeptArrays.STENCIL_ROWS, WIDTH * nv);
            float[] weight = KeptArrays.floats(KeptArrays.STENCIL_WEIGHTS, nv);
            int[] off = adj.offsets;
            int[] nb = adj.neighbors;
            Parallel.forRange(nv, threads, (from, to) -> {
                for (int v = from; v < to; v++) {
                    int r = WIDTH * v;
                    int s = off[v], degree = off[v + 1] - s;
                    java.util.Arrays.fill(rows, r, r + WIDTH, 3 * nv);
                    if (fixed(adj, v)) {
                        rows[r] = 3 * v;
                        weight[v] = 1f;
                    } else if (degree <= WIDTH) {
                        for (int k = 0; k < degree; k++) {
                            rows[r + k] = 3 * nb[s + k];
                        }
                        weight[v] = 1f / degree;
                    } else {
                        weight[v] = 0f;
                    }
                }
            });
            return new Stencil(rows, weight, adj);
        }

        /** Leaves the rows and weights for the next smoothing; this stencil is spent. */
        void recycle() {
            KeptArrays.give(KeptArrays.STENCIL_ROWS, rows);
            KeptArrays.give(KeptArrays.STENCIL_WEIGHTS, weight);
        }

        boolean isFixed(int v) {
            return fixed(adj, v);
        }

        /**
         * For v in [from, to): out = ck x0 + half (b1 + W b1) - keep b2, one Clenshaw step (half 1)
         * or the output (half 1/2). b2 may be the same array as out: each vertex reads only its own there.
         */
        void step(int from, int to, float[] x0, float[] b1, float[] b2, float ck, float half, float keep, float[] out) {
            int[] rows = this.rows;
            float[] weight = this.weight;
            float[] x = b1;
            for (int v = from; v < to; v++) {
                float w = weight[v];
                float ax = 0, ay = 0, az = 0;
                if (w != 0) {
                    int r = WIDTH * v;
                    for (int k = 0; k < WIDTH; k++) {
                        int q = rows[r + k];
                        ax += x[q];
                        ay += x[q + 1];
                        az += x[q + 2];
                    }
                } else {
                    int s = adj.offsets[v], e = adj.offsets[v + 1];
                    for (int k = s; k < e; k++) {
                        int q = 3 * adj.neighbors[k];
                        ax += x[q];
                        ay += x[q + 1];
                        az += x[q + 2];
                    }
                    w = 1f / (e - s);
                }
                int p = 3 * v;
                out[p] = ck * x0[p] + half * (x[p] + ax * w) - keep * b2[p];
                out[p + 1] = ck * x0[p + 1] + half * (x[p + 1] + ay * w) - keep * b2[p + 1];
                out[p + 2] = ck * x0[p + 2] + half * (x[p + 2] + az * w) - keep * b2[p + 2];
            }
        }
    }

    /** Vertices that stay put: on a boundary or non-manifold edge, or in no triangle. */
    static boolean fixed(Adjacency adj, int v) {
        return (adj.flags[v] & (Adjacency.BOUNDARY | Adjacency.NON_MANIFOLD)) != 0 || adj.degree(v) == 0;
    }

    /** The middle of the bounding box of the first nv vertices, one box per worker. */
    private static double[] centre(float[] p, int nv, int threads) {
        int workers = Math.max(1, Math.min(threads, nv / 65536 + 1));
        float[][] box = new float[workers][];
        Parallel.forEachWorker(nv, workers, (w, from, to) -> {
            float[] b = {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
            for (int i = 3 * from; i < 3 * to; i += 3) {
                for (int a = 0; a < 3; a++) {
                    b[a] = Math.min(b[a], p[i + a]);
                    b[a + 3] = Math.max(b[a + 3], p[i + a]);
                }
            }
            box[w] = b;
        });
        double[] c = new double[3];
        for (int a = 0; a < 3; a++) {
            float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
            for (float[] b : box) {
                min = Math.min(min, b[a]);
                max = Math.max(max, b[a + 3]);
            }
            c[a] = ((double) min + max) / 2;
        }
        return c;
    }

    /**
     * The windowed Chebyshev coefficients c[0..n], with VTK's offset sigma found by Newton's
     * method so the filter's response at the passband is 1. Public for the label maps' constrained
     * smoothing, which runs the same filter over a shared vertex set.
     */
    public static double[] coefficients(int n, double passBand) {
        double thetaPb = Math.acos(1.0 - 0.5 * passBand);
        double[] w = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            w[i] = 0.54 + 0.46 * Math.cos(i * Math.PI / (n + 1)); // Hamming
        }
        double[] c = new double[n + 1];
        double[] cprime = new double[n + 2];
        double sigma = 0;
        for (int iter = 0; iter < 500; iter++) {
            c[0] = w[0] * (thetaPb + sigma) / Math.PI;
            for (int i = 1; i <= n; i++) {
                c[i] = 2.0 * w[i] * Math.sin(i * (thetaPb + sigma)) / (i * Math.PI);
            }
            if (n == 1) {
                break; // VTK does not adjust an order-1 filter
            }
            cprime[n + 1] = 0;
            cprime[n] = 0;
            cprime[n - 1] = 2.0 * n * c[n];
            for (int i = n - 2; i >= 0; i--) {
                cprime[i] = cprime[i + 2] + 2.0 * (i + 1) * c[i + 1];
            }
            double f = c[0];
            double fprime = cprime[0];
            for (int i = 1; i <= n; i++) {
                double t = Math.cos(i * thetaPb);
                f += c[i] * t;
                fprime += cprime[i] * t;
            }
            if (Math.abs(f - 1.0) < 1e-3) {
                break;
            }
            sigma -= (f - 1.0) / fprime;
        }
        return c;
    }
}
