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
    /** Each triangle's bounding box (min x, y, z, max x, y, z), built on the first nearest-point query. */
    private volatile float[] boxes;

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
        return of(mesh, 2);
    }

    /** A grid whose cells are about {@code edges} mean edge lengths wide. */
    static TriangleGrid of(Mesh mesh, double edges) {
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
        double cell = Math.max(edges * edgeSum / Math.max(1, nt), extent * 1e-6);
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
     * A search's running answer, kept by one thread from query to query: the nearest triangle
     * found for the last point starts the next point's search with a bound (its distance to that
     * triangle), so cells farther than that are skipped unopened. Neighbouring vertices of a
     * marching-cubes surface come in index order, so the bound is usually within a fraction of a
     * cell of the answer. The answer itself is the same minimum over the same distances.
     */
    static final class Nearest {
        double best;
        int triangle = -1;
    }

    /** Squared distance from q to the nearest triangle. */
    double nearestSquared(double qx, double qy, double qz) {
        return nearestSquared(qx, qy, qz, new Nearest());
    }

    /**
     * Squared distance from q to the nearest triangle, searching shells of cells outward from q's
     * cell until the nearest found is closer than anything the next shell could hold; {@code n}
     * carries the last query's nearest triangle in and this one's out.
     */
    double nearestSquared(double qx, double qy, double qz, Nearest n) {
        int cx = cellOf(qx, ox, nx), cy = cellOf(qy, oy, ny), cz = cellOf(qz, oz, nz);
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        float[] box = boxes();
        n.best = Double.POSITIVE_INFINITY;
        if (n.triangle >= 0) {
            int tri = 3 * n.triangle;
            n.best = SurfaceMetrics.pointTriangleSquared(p, t[tri], t[tri + 1], t[tri + 2], qx, qy, qz);
        }
        int maxR = Math.max(nx, Math.max(ny, nz));
        // Every cell not yet searched after shell r is at least r cells plus q's margin (its distance
        // to the nearest inner wall of its own cell; the grid's outer faces have nothing beyond) away:
        // a close first bound then often ends the search after q's own cell.
        double margin = Math.min(wallGap(qx, cx, ox, nx), Math.min(wallGap(qy, cy, oy, ny), wallGap(qz, cz, oz, nz)));
        for (int r = 0; r <= maxR; r++) {
            // Rows and planes farther than the best found are skipped before their cells are looked at.
            for (int z = Math.max(0, cz - r); z <= Math.min(nz - 1, cz + r); z++) {
                double dz = boxDistanceSquared(z, qz, oz, nz);
                if (dz >= n.best) {
                    continue;
                }
                boolean zEdge = Math.abs(z - cz) == r;
                for (int y = Math.max(0, cy - r); y <= Math.min(ny - 1, cy + r); y++) {
                    double dyz = dz + boxDistanceSquared(y, qy, oy, ny);
                    if (dyz >= n.best) {
                        continue;
                    }
                    int row = nx * (y + ny * z);
                    if (zEdge || Math.abs(y - cy) == r) {
                        for (int x = Math.max(0, cx - r); x <= Math.min(nx - 1, cx + r); x++) {
                            nearestInCell(x, row, dyz, p, t, box, qx, qy, qz, n);
                        }
                    } else { // inside the shell's span in y and z: only its two x faces
                        if (cx - r >= 0) {
                            nearestInCell(cx - r, row, dyz, p, t, box, qx, qy, qz, n);
                        }
                        if (cx + r < nx) {
                            nearestInCell(cx + r, row, dyz, p, t, box, qx, qy, qz, n);
                        }
                    }
                }
            }
            double reach = r * cell + margin;
            if (n.best <= reach * reach) {
                break;
            }
        }
        return n.best;
    }

    /** Distance along one axis from q, in cell i, to the nearer of i's walls that has cells beyond it. */
    private double wallGap(double q, int i, double origin, int n) {
        double below = i == 0 ? Double.POSITIVE_INFINITY : q - (origin + i * cell);
        double above = i == n - 1 ? Double.POSITIVE_INFINITY : origin + (i + 1) * cell - q;
        return Math.max(0, Math.min(below, above));
    }

    /** Squared distance along one axis from q to cell i's slab; the edge cells reach to infinity. */
    private double boxDistanceSquared(int i, double q, double origin, int n) {
        double lo = i == 0 ? Double.NEGATIVE_INFINITY : origin + i * cell;
        double hi = i == n - 1 ? Double.POSITIVE_INFINITY : origin + (i + 1) * cell;
        double d = q < lo ? lo - q : q > hi ? q - hi : 0;
        return d * d;
    }

    /** Cell x of a row whose y and z slabs are dyz (squared) from q. */
    private void nearestInCell(int x, int row, double dyz, float[] p, int[] t, float[] box, double qx, double qy, double qz,
                               Nearest n) {
        if (dyz + boxDistanceSquared(x, qx, ox, nx) >= n.best) {
            return; // nothing in this cell can be nearer than what was found
        }
        int c = x + row;
        for (int k = start[c]; k < start[c + 1]; k++) {
            int i = items[k];
            // A triangle's box is a handful of comparisons; the exact distance is fifty operations.
            int b = 6 * i;
            double dx = axisGap(qx, box[b], box[b + 3]), dy = axisGap(qy, box[b + 1], box[b + 4]), dz = axisGap(qz, box[b + 2], box[b + 5]);
            if (dx * dx + dy * dy + dz * dz >= n.best) {
                continue;
            }
            int tri = 3 * i;
            double d = SurfaceMetrics.pointTriangleSquared(p, t[tri], t[tri + 1], t[tri + 2], qx, qy, qz);
            if (d < n.best) {
                n.best = d;
                n.triangle = i;
            }
        }
    }

    private static double axisGap(double q, float lo, float hi) {
        return q < lo ? lo - q : q > hi ? q - hi : 0;
    }

    private float[] boxes() {
        float[] b = boxes;
        if (b == null) {
            synchronized (this) {
                b = boxes;
                if (b == null) {
                    boxes = b = triangleBoxes(mesh);
                }
            }
        }
        return b;
    }

    private static float[] triangleBoxes(Mesh mesh) {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        float[] b = new float[2 * t.length];
        for (int i = 0, j = 0; i < t.length; i += 3, j += 6) {
            int a = 3 * t[i], c = 3 * t[i + 1], e = 3 * t[i + 2];
            for (int d = 0; d < 3; d++) {
                b[j + d] = Math.min(p[a + d], Math.min(p[c + d], p[e + d]));
                b[j + 3 + d] = Math.max(p[a + d], Math.max(p[c + d], p[e + d]));
            }
        }
        return b;
    }
}
