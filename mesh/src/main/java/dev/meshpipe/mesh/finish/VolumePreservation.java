package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;

/**
 * Gives each closed component of a smoothed surface back the volume it enclosed before smoothing,
 * by moving its vertices along their normals by one distance per component. Smoothing shrinks a
 * surface where it is curved; an offset along the normal changes the volume by about area times
 * distance, so a few Newton steps (d = (V0 - V) / A) restore it to well under 0.01%. An offset
 * keeps the shape of a folded surface such as a cortex, where scaling about the centroid would
 * push outer folds out and leave deep ones shrunken.
 *
 * <p>Components with a boundary or non-manifold edge are left alone: they enclose no volume, and
 * their fixed border vertices must not move.
 */
final class VolumePreservation {
    /** Newton steps stop once every component is within this relative error. */
    static final double TOLERANCE = 1e-5;
    static final int MAX_STEPS = 6;

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
        for (int step = 0; step < MAX_STEPS; step++) {
            double[] vol = new double[n];
            double[] area = new double[n];
            java.util.Arrays.fill(normal, 0);
            for (int i = 0; i < t.length; i += 3) {
                int c = label[t[i]];
                vol[c] += SurfaceMetrics.signedTetra(p, t[i], t[i + 1], t[i + 2]);
                area[c] += accumulateNormal(p, t[i], t[i + 1], t[i + 2], normal);
            }
            double[] offset = new double[n];
            boolean moved = false;
            for (int c = 0; c < n; c++) {
                if (closed[c] && area[c] > 0 && Math.abs(vol[c] - target[c]) > TOLERANCE * Math.abs(target[c])) {
                    offset[c] = (target[c] - vol[c]) / area[c];
                    moved = true;
                }
            }
            if (!moved) {
                break;
            }
            float[] q = p;
            Parallel.forRange(label.length, threads, (from, to) -> {
                for (int v = from; v < to; v++) {
                    int c = label[v];
                    if (c < 0 || offset[c] == 0) {
                        continue;
                    }
                    int k = 3 * v;
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

    /** Adds the triangle's area-weighted normal to its three vertices; returns its area. */
    private static double accumulateNormal(float[] p, int a, int b, int c, float[] normal) {
        int i = 3 * a, j = 3 * b, k = 3 * c;
        double ux = p[j] - p[i], uy = p[j + 1] - p[i + 1], uz = p[j + 2] - p[i + 2];
        double vx = p[k] - p[i], vy = p[k + 1] - p[i + 1], vz = p[k + 2] - p[i + 2];
        float nx = (float) (uy * vz - uz * vy), ny = (float) (uz * vx - ux * vz), nz = (float) (ux * vy - uy * vx);
        for (int o : new int[] {i, j, k}) {
            normal[o] += nx;
            normal[o + 1] += ny;
            normal[o + 2] += nz;
        }
        return Math.sqrt((double) nx * nx + (double) ny * ny + (double) nz * nz) / 2;
    }
}
