package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;

/**
 * A uniform grid over a mesh's triangles: each cell lists the triangles whose bounding box
 * overlaps it. Cells are about two mean edge lengths wide, so a marching-cubes surface puts a
 * handful of triangles in each and the grid never has many more cells than triangles.
 */
final class TriangleGrid {
    final Mesh mesh;
    final double ox, oy, oz, cell;
    final int nx, ny, nz;
    final int[] start;
    final int[] items;

    private TriangleGrid(Mesh mesh, double[] origin, double cell, int[] dims, int[] start, int[] items) {
        this.mesh = mesh;
        this.ox = origin[0];
        this.oy = origin[1];
        this.oz = origin[2];
        this.cell = cell;
        this.nx = dims[0];
        this.ny = dims[1];
        this.nz = dims[2];
        this.start = start;
        this.items = items;
    }

    static TriangleGrid of(Mesh mesh) {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        int nt = mesh.triangleCount();
        double[] min = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] max = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        double edgeSum = 0;
        for (int i = 0; i < t.length; i += 3) {
            for (int k = 0; k < 3; k++) {
                int a = 3 * t[i + k];
                for (int d = 0; d < 3; d++) {
                    min[d] = Math.min(min[d], p[a + d]);
                    max[d] = Math.max(max[d], p[a + d]);
                }
            }
            int a = 3 * t[i], b = 3 * t[i + 1];
            double dx = p[a] - p[b], dy = p[a + 1] - p[b + 1], dz = p[a + 2] - p[b + 2];
            edgeSum += Math.sqrt(dx * dx + dy * dy + dz * dz);
        }
        if (nt == 0) {
            min = new double[3];
            max = new double[] {1, 1, 1};
        }
        double extent = Math.max(max[0] - min[0], Math.max(max[1] - min[1], max[2] - min[2]));
        double cell = Math.max(2 * edgeSum / Math.max(1, nt), extent * 1e-6);
        if (!(cell > 0)) {
            cell = 1;
        }
        int[] dims = new int[3];
        while (true) {
            long cells = 1;
            for (int d = 0; d < 3; d++) {
                dims[d] = Math.max(1, (int) Math.min(Integer.MAX_VALUE / 4, (long) Math.ceil((max[d] - min[d]) / cell) + 1));
                cells *= dims[d];
            }
            if (cells <= 4L * nt + 64) {
                break;
            }
            cell *= 1.5;
        }
        int cellCount = dims[0] * dims[1] * dims[2];
        int[] start = new int[cellCount + 1];
        int[] range = new int[6];
        for (int i = 0; i < t.length; i += 3) {
            cellRange(p, t, i, min, cell, dims, range);
            for (int z = range[2]; z <= range[5]; z++) {
                for (int y = range[1]; y <= range[4]; y++) {
                    for (int x = range[0]; x <= range[3]; x++) {
                        start[x + dims[0] * (y + dims[1] * z) + 1]++;
                    }
                }
            }
        }
        for (int c = 0; c < cellCount; c++) {
            start[c + 1] += start[c];
        }
        int[] items = new int[start[cellCount]];
        int[] cursor = java.util.Arrays.copyOf(start, cellCount);
        for (int i = 0; i < t.length; i += 3) {
            cellRange(p, t, i, min, cell, dims, range);
            for (int z = range[2]; z <= range[5]; z++) {
                for (int y = range[1]; y <= range[4]; y++) {
                    for (int x = range[0]; x <= range[3]; x++) {
                        items[cursor[x + dims[0] * (y + dims[1] * z)]++] = i / 3;
                    }
                }
            }
        }
        return new TriangleGrid(mesh, min, cell, dims, start, items);
    }

    /** The cells triangle i's bounding box covers: x0, y0, z0, x1, y1, z1 inclusive. */
    private static void cellRange(float[] p, int[] t, int i, double[] min, double cell, int[] dims, int[] out) {
        for (int d = 0; d < 3; d++) {
            double lo = Math.min(p[3 * t[i] + d], Math.min(p[3 * t[i + 1] + d], p[3 * t[i + 2] + d]));
            double hi = Math.max(p[3 * t[i] + d], Math.max(p[3 * t[i + 1] + d], p[3 * t[i + 2] + d]));
            out[d] = clamp((int) Math.floor((lo - min[d]) / cell), dims[d]);
            out[d + 3] = clamp((int) Math.floor((hi - min[d]) / cell), dims[d]);
        }
    }

    static int clamp(int i, int n) {
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    }

    int cellOf(double v, double origin, int n) {
        return clamp((int) Math.floor((v - origin) / cell), n);
    }

    /**
     * Squared distance from q to the nearest triangle, searching shells of cells outward from q's
     * cell until the nearest found is closer than anything the next shell could hold.
     */
    double nearestSquared(double qx, double qy, double qz) {
        int cx = cellOf(qx, ox, nx), cy = cellOf(qy, oy, ny), cz = cellOf(qz, oz, nz);
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        double best = Double.POSITIVE_INFINITY;
        int maxR = Math.max(nx, Math.max(ny, nz));
        for (int r = 0; r <= maxR; r++) {
            for (int z = Math.max(0, cz - r); z <= Math.min(nz - 1, cz + r); z++) {
                boolean zEdge = Math.abs(z - cz) == r;
                for (int y = Math.max(0, cy - r); y <= Math.min(ny - 1, cy + r); y++) {
                    boolean yEdge = zEdge || Math.abs(y - cy) == r;
                    if (yEdge) {
                        for (int x = Math.max(0, cx - r); x <= Math.min(nx - 1, cx + r); x++) {
                            best = nearestInCell(x + nx * (y + ny * z), p, t, qx, qy, qz, best);
                        }
                    } else { // inside the shell's span in y and z: only its two x faces
                        if (cx - r >= 0) {
                            best = nearestInCell(cx - r + nx * (y + ny * z), p, t, qx, qy, qz, best);
                        }
                        if (cx + r < nx) {
                            best = nearestInCell(cx + r + nx * (y + ny * z), p, t, qx, qy, qz, best);
                        }
                    }
                }
            }
            double reach = r * cell;
            if (best <= reach * reach) {
                break;
            }
        }
        return best;
    }

    /** Squared distance along one axis from q to cell i's slab; the edge cells reach to infinity. */
    private double boxDistanceSquared(int i, double q, double origin, int n) {
        double lo = i == 0 ? Double.NEGATIVE_INFINITY : origin + i * cell;
        double hi = i == n - 1 ? Double.POSITIVE_INFINITY : origin + (i + 1) * cell;
        double d = q < lo ? lo - q : q > hi ? q - hi : 0;
        return d * d;
    }

    private double nearestInCell(int c, float[] p, int[] t, double qx, double qy, double qz, double best) {
        int x = c % nx, y = (c / nx) % ny, z = c / (nx * ny);
        if (boxDistanceSquared(x, qx, ox, nx) + boxDistanceSquared(y, qy, oy, ny) + boxDistanceSquared(z, qz, oz, nz) >= best) {
            return best; // nothing in this cell can be nearer than what was found
        }
        for (int k = start[c]; k < start[c + 1]; k++) {
            int tri = 3 * items[k];
            double d = SurfaceMetrics.pointTriangleSquared(p, t[tri], t[tri + 1], t[tri + 2], qx, qy, qz);
            if (d < best) {
                best = d;
            }
        }
        return best;
    }
}
