package dev.meshpipe.mesh.mc;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.Volume;

/**
 * The general path of {@link MarchingCubes}: it also merges vertices that round onto the same
 * grid point (when the isovalue equals sample values) and drops the triangles that collapse, as
 * {@code vtkMarchingCubes} does. {@link RowMarchingCubes} is faster where no vertex does that.
 *
 * <h2>How it runs</h2>
 * The grid's point layers (z) are split into slabs processed in parallel ({@link MarchingCubes.Parallel}), in two passes: the first
 * counts each slab's vertices and triangles; after a prefix sum, the second writes them straight
 * into the final arrays. A slab numbers its vertices layer by layer in raster order, so it can
 * reproduce the ids of the next slab's first layer without waiting for it. Each slab keeps only
 * four layers of state, so memory beyond the output is a few rows per thread.
 *
 * <h2>Borders</h2>
 * With closed borders the grid is surrounded by a virtual layer of samples that are never part of
 * the object; a crossing to that layer lies halfway along its edge, so the cap sits half a voxel
 * outside the data and the surface is closed. A crossing to any non-finite sample is placed
 * halfway as well; NaN counts as outside the object.
 */
final class SlabMarchingCubes {
    static final int NONE = Integer.MIN_VALUE;
    static final int SNAP_LOW = -1;
    static final int SNAP_HIGH = -2;
    static final int CROSS = -3;
    static final int FLAGGED = -3;

    private final Volume volume;
    private final Grid grid;
    private final double iso;
    private final boolean closed;
    private final boolean flip;
    private final float outsideValue;
    final int o;
    final int gx;
    final int gy;
    final int gz;

    private SlabMarchingCubes(Volume volume, double iso, boolean closed) {
        this.volume = volume;
        this.iso = iso;
        this.closed = closed;
        // The table winds triangles to face falling values; an object below the isovalue needs the reverse.
        this.flip = !volume.objectAbove();
        this.outsideValue = volume.objectAbove() ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        Grid g = Grid.of(volume, iso, closed);
        this.grid = g;
        this.o = g.pad();
        this.gx = g.gx();
        this.gy = g.gy();
        this.gz = g.gz();
    }

    static Mesh extract(Volume volume, double iso, boolean closedBorders, int threads) {
        return new SlabMarchingCubes(volume, iso, closedBorders).run(Math.max(1, threads));
    }

    private Mesh run(int threads) {
        if (!grid.hasCells()) {
            return Mesh.empty();
        }
        // A slab here scans a boundary layer in both passes with full layers of state: 4 per thread
        // (8 made ch2 at an isovalue on its voxel values 25% slower).
        MarchingCubes.Parallel par = new MarchingCubes.Parallel(threads, 4);
        int slabs = par.slabCount(gz);
        long[] vCount = new long[slabs];
        long[] tCount = new long[slabs];
        par.forEachSlab(gz, (s, k0, k1) -> {
            Slab slab = new Slab(k0, k1);
            slab.count();
            vCount[s] = slab.vertices;
            tCount[s] = slab.triangles;
        });
        long[] vBase = new long[slabs + 1];
        long[] tBase = new long[slabs + 1];
        for (int s = 0; s < slabs; s++) {
            vBase[s + 1] = vBase[s] + vCount[s];
            tBase[s + 1] = tBase[s] + tCount[s];
        }
        Grid.requireMeshFits(vBase[slabs], tBase[slabs]);
        float[] positions = new float[(int) (vBase[slabs] * 3)];
        int[] triangles = new int[(int) (tBase[slabs] * 3)];
        par.forEachSlab(gz, (s, k0, k1) -> new Slab(k0, k1)
                .emit((int) vBase[s], (int) vBase[s + 1], (int) tBase[s], positions, triangles));
        return new Mesh(positions, triangles);
    }

    /** The state of one point layer: samples, inside bits, edge codes or ids, point ids. */
    private final class Layer {
        int k = -1;
        boolean loaded;
        boolean edged;
        boolean flagged;
        boolean numbered;
        final float[] val = new float[gx * gy];
        final byte[] in = new byte[gx * gy];
        final int[] ex = new int[gx * gy];
        final int[] ey = new int[gx * gy];
        final int[] ez = new int[gx * gy];
        final int[] pid = new int[gx * gy];
        final float[] cx = new float[gx * gy];
        final float[] cy = new float[gx * gy];
        final float[] cz = new float[gx * gy];

        void reset(int layer) {
            k = layer;
            loaded = edged = flagged = numbered = false;
        }
    }

    /** A run of point layers [k0, k1) and the cell layers that start in it. */
    private final class Slab {
        final int k0;
        final int k1;
        final Layer[] ring = new Layer[4];
        long vertices;
        long triangles;
        private final long[] keys = new long[12];

        Slab(int k0, int k1) {
            this.k0 = k0;
            this.k1 = k1;
            for (int i = 0; i < 4; i++) {
                ring[i] = new Layer();
            }
        }

        Layer layer(int k) {
            Layer l = ring[k & 3];
            if (l.k != k) {
                l.reset(k);
            }
            return l;
        }

        Layer loaded(int k) {
            Layer l = layer(k);
            if (!l.loaded) {
                load(l);
                l.loaded = true;
            }
            return l;
        }

        Layer edged(int k) {
            Layer l = loaded(k);
            if (!l.edged) {
                Layer up = k + 1 < gz ? loaded(k + 1) : null;
                computeEdges(l, up);
                l.edged = true;
            }
            return l;
        }

        Layer flagged(int k) {
            Layer l = edged(k);
            if (!l.flagged) {
                Layer below = k > 0 ? edged(k - 1) : null;
                computeFlags(l, below);
                l.flagged = true;
            }
            return l;
        }

        void count() {
            for (int k = k0; k < k1; k++) {
                Layer l = flagged(k);
                for (int p = 0; p < gx * gy; p++) {
                    if (l.pid[p] == FLAGGED) {
                        vertices++;
                    }
                    if (l.ex[p] == CROSS) {
                        vertices++;
                    }
                    if (l.ey[p] == CROSS) {
                        vertices++;
                    }
                    if (l.ez[p] == CROSS) {
                        vertices++;
                    }
                }
                if (k + 1 < gz) {
                    triangles += cells(l, edged(k + 1), null, 0, 0);
                }
            }
        }

        void emit(int vBase, int vNext, int tBase, float[] positions, int[] triangles) {
            int id = vBase;
            int tri = tBase;
            for (int k = k0; k < k1; k++) {
                Layer l = flagged(k);
                if (!l.numbered) {
                    id = number(l, id, positions);
                }
                if (k + 1 < gz) {
                    Layer up = flagged(k + 1);
                    if (!up.numbered) {
                        if (k + 1 == k1) {
                            // The next slab's first layer: its ids start at that slab's base, and
                            // that slab writes the positions.
                            number(up, vNext, null);
                        } else {
                            id = number(up, id, positions);
                        }
                    }
                    tri = cells(l, up, triangles, tri, 1);
                }
            }
        }

        /** Gives ids to the layer's vertices in raster order and, if {@code positions} is set, writes them. */
        private int number(Layer l, int id, float[] positions) {
            float zk = (float) ((double) (l.k - o) * volume.spacing()[2]);
            for (int j = 0, p = 0; j < gy; j++) {
                float yj = (float) ((double) (j - o) * volume.spacing()[1]);
                for (int i = 0; i < gx; i++, p++) {
                    float xi = (float) ((double) (i - o) * volume.spacing()[0]);
                    if (l.pid[p] == FLAGGED) {
                        put(positions, id, xi, yj, zk);
                        l.pid[p] = id++;
                    }
                    if (l.ex[p] == CROSS) {
                        put(positions, id, l.cx[p], yj, zk);
                        l.ex[p] = id++;
                    }
                    if (l.ey[p] == CROSS) {
                        put(positions, id, xi, l.cy[p], zk);
                        l.ey[p] = id++;
                    }
                    if (l.ez[p] == CROSS) {
                        put(positions, id, xi, yj, l.cz[p]);
                        l.ez[p] = id++;
                    }
                }
            }
            l.numbered = true;
            return id;
        }

        private void put(float[] positions, int id, float x, float y, float z) {
            if (positions != null) {
                positions[3 * id] = x;
                positions[3 * id + 1] = y;
                positions[3 * id + 2] = z;
            }
        }

        /**
         * Walks the cells between layers {@code lo} and {@code hi}. Counting ({@code mode 0}) returns
         * the number of triangles; emitting ({@code mode 1}) writes them from {@code tri} and returns
         * the next free triangle slot.
         */
        private int cells(Layer lo, Layer hi, int[] out, int tri, int mode) {
            int count = 0;
            int[] ids = new int[12];
            for (int j = 0; j + 1 < gy; j++) {
                for (int i = 0; i + 1 < gx; i++) {
                    int p = i + gx * j;
                    int cs = lo.in[p] | lo.in[p + 1] << 1 | lo.in[p + 1 + gx] << 2 | lo.in[p + gx] << 3
                            | hi.in[p] << 4 | hi.in[p + 1] << 5 | hi.in[p + 1 + gx] << 6 | hi.in[p + gx] << 7;
                    if (cs == 0 || cs == 255) {
                        continue;
                    }
                    int[] edges = CaseTable.TRIANGLES[cs];
                    int n = CaseTable.TRIANGLE_COUNT[cs];
                    if (mode == 0) {
                        count += hasSnap(lo, hi, p) ? countNonDegenerate(lo, hi, p, i, j, edges, n) : n;
                        continue;
                    }
                    resolve(lo, hi, p, ids);
                    for (int t = 0; t < 3 * n; t += 3) {
                        int a = ids[edges[t]];
                        int b = ids[edges[t + 1]];
                        int c = ids[edges[t + 2]];
                        if (a == b || b == c || a == c) {
                            continue;
                        }
                        out[3 * tri] = a;
                        out[3 * tri + 1] = flip ? c : b;
                        out[3 * tri + 2] = flip ? b : c;
                        tri++;
                    }
                }
            }
            return mode == 0 ? count : tri;
        }

        private boolean hasSnap(Layer lo, Layer hi, int p) {
            int px = p + 1;
            int py = p + gx;
            int pxy = p + 1 + gx;
            return snapped(lo.ex[p]) || snapped(lo.ey[px]) || snapped(lo.ex[py]) || snapped(lo.ey[p])
                    || snapped(hi.ex[p]) || snapped(hi.ey[px]) || snapped(hi.ex[py]) || snapped(hi.ey[p])
                    || snapped(lo.ez[p]) || snapped(lo.ez[px]) || snapped(lo.ez[py]) || snapped(lo.ez[pxy]);
        }

        private boolean snapped(int code) {
            return code == SNAP_LOW || code == SNAP_HIGH;
        }

        /** Counts triangles whose three edges map to three distinct vertices (before ids exist). */
        private int countNonDegenerate(Layer lo, Layer hi, int p, int i, int j, int[] edges, int n) {
            for (int e = 0; e < 12; e++) {
                keys[e] = key(lo, hi, p, i, j, e);
            }
            int kept = 0;
            for (int t = 0; t < 3 * n; t += 3) {
                long a = keys[edges[t]];
                long b = keys[edges[t + 1]];
                long c = keys[edges[t + 2]];
                if (a != b && b != c && a != c) {
                    kept++;
                }
            }
            return kept;
        }

        /** A key naming the vertex of cell edge {@code e}: its grid point if snapped, else the edge. */
        private long key(Layer lo, Layer hi, int p, int i, int j, int e) {
            int[] corners = CaseTable.EDGE[e];
            int[] a = CaseTable.CORNER[corners[0]];
            int[] b = CaseTable.CORNER[corners[1]];
            int code = code(lo, hi, p, e);
            int[] at = code == SNAP_HIGH ? b : a;
            long point = ((long) (lo.k + at[2]) * gy + j + at[1]) * gx + i + at[0];
            if (code == SNAP_LOW || code == SNAP_HIGH) {
                return point * 4 + 3;
            }
            int axis = a[0] != b[0] ? 0 : a[1] != b[1] ? 1 : 2;
            return point * 4 + axis;
        }

        /** The stored code or id of cell edge {@code e} for the cell whose lowest point is {@code p}. */
        private int code(Layer lo, Layer hi, int p, int e) {
            return switch (e) {
                case 0 -> lo.ex[p];
                case 1 -> lo.ey[p + 1];
                case 2 -> lo.ex[p + gx];
                case 3 -> lo.ey[p];
                case 4 -> hi.ex[p];
                case 5 -> hi.ey[p + 1];
                case 6 -> hi.ex[p + gx];
                case 7 -> hi.ey[p];
                case 8 -> lo.ez[p];
                case 9 -> lo.ez[p + 1];
                case 10 -> lo.ez[p + gx];
                default -> lo.ez[p + 1 + gx];
            };
        }

        /** Vertex ids of the 12 cell edges, following snapped edges to their grid point's id. */
        private void resolve(Layer lo, Layer hi, int p, int[] ids) {
            for (int e = 0; e < 12; e++) {
                int code = code(lo, hi, p, e);
                if (code >= 0) {
                    ids[e] = code;
                } else if (code == SNAP_LOW || code == SNAP_HIGH) {
                    int corner = CaseTable.EDGE[e][code == SNAP_LOW ? 0 : 1];
                    int[] c = CaseTable.CORNER[corner];
                    ids[e] = (c[2] == 0 ? lo : hi).pid[p + c[0] + gx * c[1]];
                } else {
                    ids[e] = -1;
                }
            }
        }
    }

    private void load(Layer l) {
        int z = l.k - o;
        float[] data = volume.data();
        int nx = volume.nx();
        int ny = volume.ny();
        boolean zIn = z >= 0 && z < volume.nz();
        for (int j = 0; j < gy; j++) {
            int y = j - o;
            int row = j * gx;
            if (!zIn || y < 0 || y >= ny) {
                java.util.Arrays.fill(l.val, row, row + gx, outsideValue);
            } else {
                if (o == 1) {
                    l.val[row] = outsideValue;
                    l.val[row + gx - 1] = outsideValue;
                }
                System.arraycopy(data, nx * (y + ny * z), l.val, row + o, nx);
            }
        }
        for (int p = 0; p < gx * gy; p++) {
            float v = l.val[p];
            if (v != v) {
                l.val[p] = v = outsideValue;
            }
            l.in[p] = (byte) (v >= iso ? 1 : 0);
        }
    }

    private void computeEdges(Layer l, Layer up) {
        double sx = volume.spacing()[0];
        double sy = volume.spacing()[1];
        double sz = volume.spacing()[2];
        for (int j = 0, p = 0; j < gy; j++) {
            for (int i = 0; i < gx; i++, p++) {
                l.ex[p] = NONE;
                l.ey[p] = NONE;
                l.ez[p] = NONE;
                byte a = l.in[p];
                if (i + 1 < gx && l.in[p + 1] != a) {
                    l.ex[p] = crossing(l.val[p], l.val[p + 1], i, sx, l.cx, p);
                }
                if (j + 1 < gy && l.in[p + gx] != a) {
                    l.ey[p] = crossing(l.val[p], l.val[p + gx], j, sy, l.cy, p);
                }
                if (up != null && up.in[p] != a) {
                    l.ez[p] = crossing(l.val[p], up.val[p], l.k, sz, l.cz, p);
                }
            }
        }
    }

    /**
     * Places the vertex on the edge from grid index {@code g} to {@code g+1} exactly as VTK does
     * (double arithmetic, rounded to float once) and reports whether it rounds onto an endpoint.
     */
    private int crossing(float va, float vb, int g, double s, float[] coord, int p) {
        double xa = (double) (g - o) * s;
        double xb = (double) (g - o + 1) * s;
        double t = Float.isFinite(va) && Float.isFinite(vb) ? (iso - va) / ((double) vb - va) : 0.5;
        float c = (float) (xa + t * (xb - xa));
        if (c == (float) xa) {
            return SNAP_LOW;
        }
        if (c == (float) xb) {
            return SNAP_HIGH;
        }
        coord[p] = c;
        return CROSS;
    }

    private void computeFlags(Layer l, Layer below) {
        for (int j = 0, p = 0; j < gy; j++) {
            for (int i = 0; i < gx; i++, p++) {
                boolean snap = l.ex[p] == SNAP_LOW || l.ey[p] == SNAP_LOW || l.ez[p] == SNAP_LOW
                        || (i > 0 && l.ex[p - 1] == SNAP_HIGH)
                        || (j > 0 && l.ey[p - gx] == SNAP_HIGH)
                        || (below != null && below.ez[p] == SNAP_HIGH);
                l.pid[p] = snap ? FLAGGED : NONE;
            }
        }
    }
}
