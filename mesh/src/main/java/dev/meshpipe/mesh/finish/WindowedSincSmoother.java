package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;

/**
 * Windowed-sinc smoothing, the algorithm of VTK 9.1's {@code vtkWindowedSincPolyDataFilter}
 * (Taubin, Zhang and Golub, "Optimal surface smoothing as filter design", 1996): a low-pass filter
 * on the mesh's Laplacian spectrum, written as a Chebyshev expansion of the ideal filter with a
 * Hamming window and evaluated with the Chebyshev recurrence, one Laplacian per iteration.
 *
 * <p>Settings as 3D Slicer uses it for segment surfaces: coordinates normalised (centred, so the
 * filter's small DC error does not pull the surface toward the origin), feature-edge smoothing off,
 * boundary smoothing off. Vertices on a boundary edge (an open border at the volume edge) or a
 * non-manifold edge do not move, so borders stay where marching cubes put them and the
 * connectivity never changes: a closed surface stays closed.
 *
 * <p>The loop runs over flat float arrays and a compressed vertex adjacency, over vertex ranges in
 * parallel; each iteration reads only the previous two iterations' positions, so ranges never
 * share writes.
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
        double[] centre = centre(src);
        float[] x0 = new float[src.length];
        float cx = (float) centre[0], cy = (float) centre[1], cz = (float) centre[2];
        for (int i = 0; i < src.length; i += 3) {
            x0[i] = src[i] - cx;
            x0[i + 1] = src[i + 1] - cy;
            x0[i + 2] = src[i + 2] - cz;
        }
        // Fixed vertices keep x0 in every buffer, so the loops skip them.
        float[] x1 = x0.clone();
        float[] x2 = x0.clone();
        float[] sum = new float[src.length];
        boolean[] fixed = fixedVertices(adj);
        int[] off = adj.offsets;
        int[] nb = adj.neighbors;
        float c0 = (float) c[0], c1 = (float) c[1];
        float[] first0 = x0, first1 = x1;
        Parallel.forRange(nv, threads, (from, to) -> {
            for (int v = from; v < to; v++) {
                if (fixed[v]) {
                    continue;
                }
                int p = 3 * v;
                int s = off[v], e = off[v + 1];
                float ax = 0, ay = 0, az = 0;
                for (int k = s; k < e; k++) {
                    int q = 3 * nb[k];
                    ax += first0[q];
                    ay += first0[q + 1];
                    az += first0[q + 2];
                }
                float inv = 1f / (e - s);
                // x1 = x0 - 0.5 * (x0 - mean of neighbours)
                float lx = first0[p] - ax * inv, ly = first0[p + 1] - ay * inv, lz = first0[p + 2] - az * inv;
                first1[p] = first0[p] - 0.5f * lx;
                first1[p + 1] = first0[p + 1] - 0.5f * ly;
                first1[p + 2] = first0[p + 2] - 0.5f * lz;
                sum[p] = c0 * first0[p] + c1 * first1[p];
                sum[p + 1] = c0 * first0[p + 1] + c1 * first1[p + 1];
                sum[p + 2] = c0 * first0[p + 2] + c1 * first1[p + 2];
            }
        });
        for (int it = 2; it <= iterations; it++) {
            float ck = (float) c[it];
            float[] prev = x0, cur = x1, next = x2;
            Parallel.forRange(nv, threads, (from, to) -> {
                for (int v = from; v < to; v++) {
                    if (fixed[v]) {
                        continue;
                    }
                    int p = 3 * v;
                    int s = off[v], e = off[v + 1];
                    float ax = 0, ay = 0, az = 0;
                    for (int k = s; k < e; k++) {
                        int q = 3 * nb[k];
                        ax += cur[q];
                        ay += cur[q + 1];
                        az += cur[q + 2];
                    }
                    float inv = 1f / (e - s);
                    // Chebyshev recurrence T(n+1) = 2 (I - K/2) T(n) - T(n-1), K the Laplacian
                    float nx = cur[p] + ax * inv - prev[p];
                    float ny = cur[p + 1] + ay * inv - prev[p + 1];
                    float nz = cur[p + 2] + az * inv - prev[p + 2];
                    next[p] = nx;
                    next[p + 1] = ny;
                    next[p + 2] = nz;
                    sum[p] += ck * nx;
                    sum[p + 1] += ck * ny;
                    sum[p + 2] += ck * nz;
                }
            });
            x0 = cur; // rotate: prev <- cur, cur <- next, next <- prev
            x1 = next;
            x2 = prev;
        }
        float[] out = sum;
        for (int v = 0; v < nv; v++) {
            int p = 3 * v;
            if (fixed[v]) {
                out[p] = src[p];
                out[p + 1] = src[p + 1];
                out[p + 2] = src[p + 2];
            } else {
                out[p] += cx;
                out[p + 1] += cy;
                out[p + 2] += cz;
            }
        }
        return new Mesh(out, mesh.triangles());
    }

    /** Vertices that stay put: on a boundary or non-manifold edge, or in no triangle. */
    static boolean[] fixedVertices(Adjacency adj) {
        boolean[] fixed = new boolean[adj.flags.length];
        for (int v = 0; v < fixed.length; v++) {
            fixed[v] = (adj.flags[v] & (Adjacency.BOUNDARY | Adjacency.NON_MANIFOLD)) != 0 || adj.degree(v) == 0;
        }
        return fixed;
    }

    private static double[] centre(float[] p) {
        double[] min = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] max = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int i = 0; i < p.length; i += 3) {
            for (int a = 0; a < 3; a++) {
                min[a] = Math.min(min[a], p[i + a]);
                max[a] = Math.max(max[a], p[i + a]);
            }
        }
        return new double[] {(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2};
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
