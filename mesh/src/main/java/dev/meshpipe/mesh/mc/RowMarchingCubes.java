package dev.meshpipe.mesh.mc;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.Volume;
import java.util.Arrays;

/**
 * The fast path of {@link MarchingCubes}. Like flying edges (Schroeder et al. 2015) it works on
 * x-rows of the grid, but it describes each row by its first inside bit and the sorted list of
 * its x-edge crossings, so all work after the one read of the samples is in proportion to the
 * surface, not to the volume: where two rows differ, and which cells are cut, come from merging
 * their crossing lists, and a run of cells between two crossings is all one case.
 *
 * <p>Slabs of z-layers run in parallel, and a slab does everything for a layer while its samples
 * are still in cache: scan the next layer, write this layer's vertices, then its triangles.
 * Vertices are numbered layer by layer, first the x- and y-crossings of every row, then the
 * z-crossings to the next layer, so a cell can name the next layer's x/y vertices before they are
 * written. Ids are local to the slab; a reference into the next slab's first layer carries a
 * flag, and the final join of the slabs' buffers turns every id global.
 *
 * <p>It gives up (returns null) when a vertex would round onto a grid point, where vertices must
 * be merged; {@link SlabMarchingCubes} handles that case.
 */
final class RowMarchingCubes {
    /** Marks an id in the next slab's first layer. */
    private static final int NEXT_SLAB = 1 << 30;
    private static final int[][] FLIPPED = new int[256][];

    static {
        for (int c = 0; c < 256; c++) {
            int[] t = CaseTable.TRIANGLES[c].clone();
            for (int q = 0; q + 2 < t.length && t[q] >= 0; q += 3) {
                int swap = t[q + 1];
                t[q + 1] = t[q + 2];
                t[q + 2] = swap;
            }
            FLIPPED[c] = t;
        }
    }

    private final Grid grid;
    private final float[] data;
    private final int nx;
    private final int ny;
    private final int nz;
    private final int o;
    private final int gx;
    private final int gy;
    private final int gz;
    private final double iso;
    /** The least float at or above the isovalue: {@code v >= iso} exactly when {@code v >= isoF}. */
    private final float isoF;
    private final boolean above;
    private final int padBit;
    /** The case table, with every triangle's winding reversed when the object is below the isovalue. */
    private final int[][] table;
    private final double[] spacing;
    private volatile boolean snapped;

    RowMarchingCubes(Volume v, double iso, boolean closed) {
        Grid g = Grid.of(v, iso, closed);
        this.grid = g;
        this.data = v.data();
        this.nx = g.nx();
        this.ny = g.ny();
        this.nz = g.nz();
        this.o = g.pad();
        this.gx = g.gx();
        this.gy = g.gy();
        this.gz = g.gz();
        this.iso = iso;
        this.isoF = g.isoF();
        this.above = g.objectAbove();
        this.padBit = above ? 0 : 1;
        this.table = above ? CaseTable.TRIANGLES : FLIPPED;
        this.spacing = v.spacing();
    }

    /** Returns the mesh, or null if some vertex falls on a grid point. */
    Mesh run(MarchingCubes.Parallel par) {
        if (!grid.hasCells()) {
            return Mesh.empty(); // no cells, so no surface
        }
        // One slab per task: its buffers stay its own, and the join below makes ids global.
        Slab[] slabs = new Slab[par.slabCount(gz)];
        par.forEachSlab(gz, (s, k0, k1) -> {
            Slab slab = new Slab(k0, k1);
            slab.run();
            slabs[s] = slab;
        });
        if (snapped) {
            return null;
        }
        long[] vAt = new long[slabs.length + 1];
        long[] tAt = new long[slabs.length + 1];
        for (int s = 0; s < slabs.length; s++) {
            vAt[s + 1] = vAt[s] + slabs[s].vertices;
            tAt[s + 1] = tAt[s] + slabs[s].tris.size;
        }
        if (vAt[slabs.length] >= NEXT_SLAB) {
            throw Grid.tooLarge(); // ids carry the next-slab flag in bit 30
        }
        Grid.requireMeshFits(vAt[slabs.length], tAt[slabs.length] / 3);
        float[] positions = new float[(int) vAt[slabs.length] * 3];
        int[] triangles = new int[(int) tAt[slabs.length]];
        par.forEachSlab(gz, (s, k0, k1) -> {
            Slab slab = slabs[s];
            slab.pos.copyTo(positions, (int) vAt[s] * 3);
            slab.tris.copyTo(triangles, (int) tAt[s], (int) vAt[s], (int) vAt[s + 1]);
        });
        return new Mesh(positions, triangles);
    }

    private int bit(float s) {
        // NaN is outside the object: below the isovalue for scans, above it for distance fields.
        return above ? (s >= isoF ? 1 : 0) : (s >= isoF || s != s ? 1 : 0);
    }

    /** Index of sample (0, j-o, k-o), or -1 when row (j, k) lies in the virtual border. */
    private int rowBase(int j, int k) {
        int y = j - o;
        int z = k - o;
        return y < 0 || y >= ny || z < 0 || z >= nz ? -1 : nx * (y + ny * z);
    }

    private float gridX(int i) {
        return (float) ((double) (i - o) * spacing[0]);
    }

    /** The inside bits of one z-layer, row by row: first bit and sorted x-crossings per row. */
    private final class Layer {
        final int k;
        final byte[] first = new byte[gy];
        final int[] count = new int[gy];
        final int[] off = new int[gy];
        /** Crossing edge indices, row after row, each row ended by the sentinel gx-1 (toggle at gx). */
        int[] cross = new int[256];
        /** Per row: first id of its x-crossings, of its y-crossings (block A), and of its z-crossings (block B). */
        final int[] xId = new int[gy];
        final int[] yId = new int[gy];
        final int[] zId = new int[gy];
        final int[] yCount = new int[gy];

        Layer(int k) {
            this.k = k;
            int n = 0;
            int z = k - o;
            for (int j = 0; j < gy; j++) {
                off[j] = n;
                int y = j - o;
                if (y < 0 || y >= ny || z < 0 || z >= nz) {
                    first[j] = (byte) padBit;
                    n = add(n, gx - 1);
                    continue;
                }
                int base = nx * (y + ny * z);
                int prev = o == 1 ? padBit : bit(data[base]);
                first[j] = (byte) prev;
                int start = n;
                // Edge e joins grid points e and e+1; sample x is grid point x + o. Blocks of
                // eight samples are tested at once, branch-free; only a block with a change is walked.
                int x = 1 - o;
                while (x < nx) {
                    if (x + 8 <= nx && uniformBlock(base + x, prev)) {
                        x += 8;
                        continue;
                    }
                    int end = Math.min(nx, x + 8);
                    for (; x < end; x++) {
                        int b = bit(data[base + x]);
                        if (b != prev) {
                            n = add(n, x + o - 1);
                            prev = b;
                        }
                    }
                }
                if (o == 1 && prev != padBit) {
                    n = add(n, gx - 2);
                }
                count[j] = n - start;
                n = add(n, gx - 1);
            }
        }

        /** Whether the eight samples from {@code at} all have inside bit {@code expect}; no branches per sample. */
        private boolean uniformBlock(int at, int expect) {
            float[] d = data;
            float t = isoF;
            int m;
            if (above) {
                m = (d[at] >= t ? 1 : 0) + (d[at + 1] >= t ? 1 : 0) + (d[at + 2] >= t ? 1 : 0) + (d[at + 3] >= t ? 1 : 0)
                        + (d[at + 4] >= t ? 1 : 0) + (d[at + 5] >= t ? 1 : 0) + (d[at + 6] >= t ? 1 : 0) + (d[at + 7] >= t ? 1 : 0);
            } else {
                // NaN counts as inside here (the object is below the isovalue): "not below" is the test.
                m = (d[at] < t ? 0 : 1) + (d[at + 1] < t ? 0 : 1) + (d[at + 2] < t ? 0 : 1) + (d[at + 3] < t ? 0 : 1)
                        + (d[at + 4] < t ? 0 : 1) + (d[at + 5] < t ? 0 : 1) + (d[at + 6] < t ? 0 : 1) + (d[at + 7] < t ? 0 : 1);
            }
            return m == 8 * expect;
        }

        private int add(int n, int value) {
            if (n == cross.length) {
                cross = Arrays.copyOf(cross, 2 * n);
            }
            cross[n] = value;
            return n + 1;
        }

        /** Numbers the layer's x/y block from {@code id}: rows in order, x-crossings then y-crossings. */
        int numberXY(int id) {
            for (int j = 0; j < gy; j++) {
                xId[j] = id;
                id += count[j];
                yCount[j] = j + 1 < gy ? differing(this, j, this, j + 1) : 0;
                yId[j] = id;
                id += yCount[j];
            }
            return id;
        }
    }

    /** How many grid points differ between row j1 of layer l1 and row j2 of layer l2. */
    private int differing(Layer l1, int j1, Layer l2, int j2) {
        int p1 = l1.off[j1];
        int p2 = l2.off[j2];
        int b1 = l1.first[j1];
        int b2 = l2.first[j2];
        int p = 0;
        int n = 0;
        while (true) {
            int t1 = l1.cross[p1] + 1;
            int t2 = l2.cross[p2] + 1;
            int t = Math.min(t1, t2);
            if (b1 != b2) {
                n += t - p;
            }
            if (t >= gx) {
                return n;
            }
            if (t1 == t) {
                b1 ^= 1;
                p1++;
            }
            if (t2 == t) {
                b2 ^= 1;
                p2++;
            }
            p = t;
        }
    }

    /** The z-layers [k0, k1) of one parallel task, with its own vertex and triangle buffers. */
    private final class Slab {
        final int k0;
        final int k1;
        final FloatBuffer pos = new FloatBuffer();
        final IntBuffer tris = new IntBuffer();
        int vertices;

        Slab(int k0, int k1) {
            this.k0 = k0;
            this.k1 = k1;
        }

        void run() {
            Layer cur = new Layer(k0);
            int id = cur.numberXY(0);
            int[] e = new int[12];
            for (int k = k0; k < k1 && !snapped; k++) {
                writeXY(cur);
                Layer next = k + 1 < gz ? new Layer(k + 1) : null;
                if (next != null) {
                    for (int j = 0; j < gy; j++) {
                        cur.zId[j] = id;
                        id += writePairs(cur, j, next, j, 2, cur.k);
                    }
                    // The next layer's x/y block follows; in the next slab it starts that slab's ids.
                    int nextStart = k + 1 == k1 ? NEXT_SLAB : id;
                    int end = next.numberXY(nextStart);
                    if (k + 1 < k1) {
                        id = end;
                    }
                    for (int j = 0; j + 1 < gy; j++) {
                        cells(cur, next, j, e);
                    }
                }
                cur = next;
            }
            vertices = pos.size / 3;
        }

        /** Writes a layer's x- and y-crossing vertices, in the order numberXY gave them ids. */
        private void writeXY(Layer l) {
            int k = l.k;
            float zk = (float) ((double) (k - o) * spacing[2]);
            for (int j = 0; j < gy; j++) {
                float yj = (float) ((double) (j - o) * spacing[1]);
                int base = rowBase(j, k);
                for (int q = 0; q < l.count[j]; q++) {
                    int e = l.cross[l.off[j] + q];
                    int x = e - o;
                    float va = x >= 0 ? data[base + x] : Float.NaN;
                    float vb = x + 1 < nx ? data[base + x + 1] : Float.NaN;
                    double xa = (double) (e - o) * spacing[0];
                    double xb = (double) (e - o + 1) * spacing[0];
                    pos.add(crossing(va, vb, xa, xb), yj, zk);
                }
                if (j + 1 < gy) {
                    writePairs(l, j, l, j + 1, 1, j);
                }
            }
        }

        /**
         * Writes the vertices where row j1 of l1 and row j2 of l2 differ (the crossings on the edges
         * between them, along {@code axis}, from grid index g); returns how many.
         */
        private int writePairs(Layer l1, int j1, Layer l2, int j2, int axis, int g) {
            int p1 = l1.off[j1];
            int p2 = l2.off[j2];
            int b1 = l1.first[j1];
            int b2 = l2.first[j2];
            int base1 = rowBase(j1, l1.k);
            int base2 = rowBase(j2, l2.k);
            double ga = (double) (g - o) * spacing[axis];
            double gb = (double) (g - o + 1) * spacing[axis];
            float yj = (float) ((double) (j1 - o) * spacing[1]);
            float zk = (float) ((double) (l1.k - o) * spacing[2]);
            int p = 0;
            int n = 0;
            while (true) {
                int t1 = l1.cross[p1] + 1;
                int t2 = l2.cross[p2] + 1;
                int t = Math.min(t1, t2);
                if (b1 != b2) {
                    for (int i = p; i < t; i++) {
                        int x = i - o;
                        boolean inX = x >= 0 && x < nx;
                        float va = base1 >= 0 && inX ? data[base1 + x] : Float.NaN;
                        float vb = base2 >= 0 && inX ? data[base2 + x] : Float.NaN;
                        float c = crossing(va, vb, ga, gb);
                        if (axis == 1) {
                            pos.add(gridX(i), c, zk);
                        } else {
                            pos.add(gridX(i), yj, c);
                        }
                    }
                    n += t - p;
                }
                if (t >= gx) {
                    return n;
                }
                if (t1 == t) {
                    b1 ^= 1;
                    p1++;
                }
                if (t2 == t) {
                    b2 ^= 1;
                    p2++;
                }
                p = t;
            }
        }

        /** The crossing between grid coordinates xa and xb exactly as VTK places it; notes snapping. */
        private float crossing(float va, float vb, double xa, double xb) {
            double t = Float.isFinite(va) && Float.isFinite(vb) ? (iso - va) / ((double) vb - va) : 0.5;
            float c = (float) (xa + t * (xb - xa));
            if (c == (float) xa || c == (float) xb) {
                snapped = true;
            }
            return c;
        }

        /**
         * Sweeps cell row (j, k) between rows a = (j, k), b = (j+1, k), c = (j, k+1) and
         * d = (j+1, k+1). Between two toggles every row is constant, so a run of cells there is
         * empty (all corners equal) or all one case. Ids run along: the next x-crossing of each row
         * and the next differing point of the pairs (a,b), (c,d) (y-edges) and (a,c), (b,d) (z-edges).
         */
        private void cells(Layer lo, Layer hi, int j, int[] e) {
            int[] ca = lo.cross, cc = hi.cross;
            int pa = lo.off[j], pb = lo.off[j + 1], pc = hi.off[j], pd = hi.off[j + 1];
            int a = lo.first[j], b = lo.first[j + 1], c = hi.first[j], d = hi.first[j + 1];
            int xa = lo.xId[j], xb = lo.xId[j + 1], xc = hi.xId[j], xd = hi.xId[j + 1];
            int yab = lo.yId[j], ycd = hi.yId[j], zac = lo.zId[j], zbd = lo.zId[j + 1];
            int p = 0;
            while (true) {
                int ta = ca[pa] + 1, tb = ca[pb] + 1, tc = cc[pc] + 1, td = cc[pd] + 1;
                int next = Math.min(Math.min(ta, tb), Math.min(tc, td));
                int dab = a ^ b, dcd = c ^ d, dac = a ^ c, dbd = b ^ d;
                // Cells wholly between toggles: points p .. next-1, cells p .. next-2.
                int run = Math.min(next, gx) - 1 - p;
                if (run > 0 && (a | b | c | d) != (a & b & c & d)) {
                    int cs = a * 3 | b * 12 | c * 48 | d * 192;
                    for (int off = 0; off < run; off++) {
                        e[3] = yab + off * dab;
                        e[1] = e[3] + dab;
                        e[7] = ycd + off * dcd;
                        e[5] = e[7] + dcd;
                        e[8] = zac + off * dac;
                        e[9] = e[8] + dac;
                        e[10] = zbd + off * dbd;
                        e[11] = e[10] + dbd;
                        emit(cs, e);
                    }
                }
                if (next >= gx) {
                    return;
                }
                // Cell next-1 spans the toggle: its right corners have the new bits.
                int a2 = a ^ (ta == next ? 1 : 0), b2 = b ^ (tb == next ? 1 : 0);
                int c2 = c ^ (tc == next ? 1 : 0), d2 = d ^ (td == next ? 1 : 0);
                int cs = a | a2 << 1 | b2 << 2 | b << 3 | c << 4 | c2 << 5 | d2 << 6 | d << 7;
                int left = next - 1 - p;
                e[0] = xa;
                e[2] = xb;
                e[4] = xc;
                e[6] = xd;
                e[3] = yab + left * dab;
                e[1] = e[3] + dab;
                e[7] = ycd + left * dcd;
                e[5] = e[7] + dcd;
                e[8] = zac + left * dac;
                e[9] = e[8] + dac;
                e[10] = zbd + left * dbd;
                e[11] = e[10] + dbd;
                emit(cs, e);
                int span = next - p;
                yab += span * dab;
                ycd += span * dcd;
                zac += span * dac;
                zbd += span * dbd;
                if (ta == next) {
                    xa++;
                    pa++;
                }
                if (tb == next) {
                    xb++;
                    pb++;
                }
                if (tc == next) {
                    xc++;
                    pc++;
                }
                if (td == next) {
                    xd++;
                    pd++;
                }
                a = a2;
                b = b2;
                c = c2;
                d = d2;
                p = next;
            }
        }

        private void emit(int cs, int[] e) {
            int[] edges = table[cs];
            int n = 3 * CaseTable.TRIANGLE_COUNT[cs];
            tris.room(n);
            int[] out = tris.cur;
            int s = tris.used;
            for (int q = 0; q < n; q++) {
                out[s + q] = e[edges[q]];
            }
            tris.used = s + n;
            tris.size += n;
        }
    }

    /** Largest chunk; the first is small and each next one twice the last, so a small slab costs little. */
    private static final int CHUNK = 1 << 16;
    private static final int FIRST_CHUNK = 1 << 12;

    /** Vertex positions in chunks: growing never copies what is already written. */
    private static final class FloatBuffer {
        final java.util.List<float[]> chunks = new java.util.ArrayList<>();
        float[] cur = new float[FIRST_CHUNK - FIRST_CHUNK % 3];
        int used;
        int size;

        void add(float x, float y, float z) {
            if (used == cur.length) {
                chunks.add(cur);
                cur = new float[Math.min(2 * cur.length, CHUNK - CHUNK % 3)]; // lengths stay multiples of 3
                used = 0;
            }
            cur[used] = x;
            cur[used + 1] = y;
            cur[used + 2] = z;
            used += 3;
            size += 3;
        }

        void copyTo(float[] out, int at) {
            for (float[] c : chunks) {
                System.arraycopy(c, 0, out, at, c.length);
                at += c.length;
            }
            System.arraycopy(cur, 0, out, at, used);
        }
    }

    /** Triangle corners in chunks; a chunk may end a little short so a case's triangles never straddle two. */
    private static final class IntBuffer {
        final java.util.List<int[]> chunks = new java.util.ArrayList<>();
        final java.util.List<Integer> lengths = new java.util.ArrayList<>();
        int[] cur = new int[FIRST_CHUNK];
        int used;
        int size;

        /** Makes room for {@code more} ints at {@code used} in {@code cur}. */
        void room(int more) {
            if (used + more > cur.length) {
                chunks.add(cur);
                lengths.add(used);
                cur = new int[Math.min(2 * cur.length, CHUNK)];
                used = 0;
            }
        }

        /** Copies every id to {@code out} from {@code at}, made global: local ids plus base, next-slab ids plus nextBase. */
        void copyTo(int[] out, int at, int base, int nextBase) {
            for (int c = 0; c <= chunks.size(); c++) {
                int[] src = c < chunks.size() ? chunks.get(c) : cur;
                int len = c < chunks.size() ? lengths.get(c) : used;
                for (int q = 0; q < len; q++) {
                    int id = src[q];
                    out[at + q] = id < NEXT_SLAB ? id + base : id - NEXT_SLAB + nextBase;
                }
                at += len;
            }
        }
    }

}
