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

    static Mesh restore(Mesh before, Mesh after, Adjacency adj, int threads) {
        Components.Labels labels = Components.label(before);
        int n = labels.count();
        if (n == 0) {
            return after;
        }
        boolean[] closed = new boolean[n];
        java.util.Arrays.fill(closed, true);
        int[] label = labels.vertexLabel();
        for (int v = 0; v < label.length; v++) {
            if (label[v] >= 0 && (adj.flags[v] & (Adjacency.BOUNDARY | Adjacency.NON_MANIFOLD)) != 0) {
                closed[label[v]] = false;
            }
        }
        double[] target = Components.signedVolumes(before, labels);
        float[] p = after.positions().clone();
        int[] t = after.triangles();
        float[] normal = new float[p.length];
        double[] area = new double[n];
        for (int step = 0; step < MAX_STEPS; step++) {
            double[] vol = new double[n];
            // Normals and areas barely change between steps, so the first step's serve all of them.
            boolean first = step == 0;
            for (int i = 0; i < t.length; i += 3) {
                int c = label[t[i]];
                vol[c] += SurfaceMetrics.signedTetra(p, t[i], t[i + 1], t[i + 2]);
                if (first) {
                    area[c] += accumulateNormal(p, t[i], t[i + 1], t[i + 2], normal);
                }
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
                for (int v = 0; v < label.length; v++) {
                    if (label[v] >= 0 && revert[label[v]]) {
                        System.arraycopy(raw, 3 * v, p, 3 * v, 3);
                    }
                }
            }
            if (!moved) {
                break;
            }
            double[] centroid = centroids(p, label, n, scale);
            float[] q = p;
            Parallel.forRange(label.length, threads, (from, to) -> {
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
                    double nx = normal[k], ny = normal[k + 1], nz = normal[k + 2];
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

    /** Vertex centroids of the components being scaled (others are left 0). */
    private static double[] centroids(float[] p, int[] label, int n, double[] scale) {
        double[] sum = new double[3 * n];
        int[] count = new int[n];
        for (int v = 0; v < label.length; v++) {
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
    private static double accumulateNormal(float[] p, int a, int b, int c, float[] normal) {
        int i = 3 * a, j = 3 * b, k = 3 * c;
        double ux = p[j] - p[i], uy = p[j + 1] - p[i + 1], uz = p[j + 2] - p[i + 2];
        double vx = p[k] - p[i], vy = p[k + 1] - p[i + 1], vz = p[k + 2] - p[i + 2];
        float nx = (float) (uy * vz - uz * vy), ny = (float) (uz * vx - ux * vz), nz = (float) (ux * vy - uy * vx);
        normal[i] += nx;
        normal[i + 1] += ny;
        normal[i + 2] += nz;
        normal[j] += nx;
        normal[j + 1] += ny;
        normal[j + 2] += nz;
        normal[k] += nx;
        normal[k + 1] += ny;
        normal[k + 2] += nz;
        return Math.sqrt((double) nx * nx + (double) ny * ny + (double) nz * nz) / 2;
    }
}
