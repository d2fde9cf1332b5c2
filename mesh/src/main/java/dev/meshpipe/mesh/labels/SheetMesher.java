package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.Volume;
import java.util.Arrays;

/**
 * Meshes one label of a {@link LabelSurfaces.Grid} in grid space: a quad on each face between a
 * voxel of the label and one of another label, with one vertex per corner and sheet. Works one
 * z slice of voxels at a time, keeping only the two corner layers that slice touches, so memory
 * follows the surface, not the bounding box.
 */
final class SheetMesher {
    /**
     * Sheet of each of the 12 faces meeting at a corner (-1 where the face is not on the surface),
     * for each of the 256 ways the label fills the eight voxels around the corner. Octant o holds
     * voxel bits x | y << 1 | z << 2; face a * 4 + ob + 2 * oc separates the octants that differ only
     * along axis a, where ob and oc are their bits along the next two axes (a + 1, a + 2 mod 3).
     */
    static final byte[] SHEETS = sheetTable();

    private final LabelSurfaces.Grid g;
    private final char d;
    private final int x0, y0, z0, x1, y1, z1, cx;
    /** The layer arrays and outputs below live in a {@link Scratch} while {@link #mesh(double[])} runs. */
    private int[] vertLo, vertHi, maskLo, maskHi;
    /** Per corner of a layer: index into {@link #resolved} for corners at a diagonal edge, else -1. */
    private int[] specialLo, specialHi;
    private DiagonalEdges.Corner[] resolved = new DiagonalEdges.Corner[16];
    private int nResolved;
    private final char[] around = new char[8];
    /** With a field: the vertices whose copy is moved off its corner, and by how much (grid space), for {@link #rawMesh}. */
    private int[] movedVertex = new int[16];
    private float[] movedBy = new float[48];
    private int nMoved;
    /** Which corner layer (stampBase + z) an entry of a layer array was last set for; other entries are stale. */
    private int[] stampLo, stampHi;
    private int stampBase;
    private float[] pos;
    private int nPos;
    private int[] tri;
    private int nTri;
    private final int[] p = new int[3];
    private final int[] v = new int[4];
    private final int[] corner = new int[3];
    /** Smoothed corner positions to use instead of the corners themselves; null for the raw surface. */
    private final LabelSmoothing.Field field;
    /** With a field: each vertex's corner in it, so callers can find the raw position too. */
    private int[] cornerOf;

    SheetMesher(LabelSurfaces.Grid g, int dense) {
        this(g, dense, null);
    }

    SheetMesher(LabelSurfaces.Grid g, int dense, LabelSmoothing.Field field) {
        this.g = g;
        this.field = field;
        this.cornerOf = field == null ? null : new int[1024];
        this.d = (char) dense;
        int o = 6 * dense;
        x0 = g.box[o];
        y0 = g.box[o + 1];
        z0 = g.box[o + 2];
        x1 = g.box[o + 3];
        y1 = g.box[o + 4];
        z1 = g.box[o + 5];
        cx = x1 - x0 + 2;
    }

    /**
     * A mesher's layer arrays and growing outputs, kept for the next structure or map (see
     * {@link Spares}): a whole atlas otherwise allocates its boxes' layers and outputs afresh.
     */
    private static final class Scratch {
        int[] vertLo = new int[0], vertHi = new int[0], maskLo = new int[0], maskHi = new int[0];
        int[] specialLo = new int[0], specialHi = new int[0], stampLo = new int[0], stampHi = new int[0];
        float[] pos = new float[3 * 1024];
        int[] tri = new int[6 * 1024];
        /**
         * Stamps of this use start above every stamp of the earlier ones, so entries they left
         * are stale without clearing the arrays.
         */
        int nextStampBase = 1;
    }

    /** Two jobs' meshing threads at once. */
    private static final Spares<Scratch> SCRATCH = new Spares<>(2 * Math.max(4, Runtime.getRuntime().availableProcessors()),
            s -> (long) s.pos.length + s.tri.length + s.vertLo.length);

    private void takeScratch() {
        Scratch s = SCRATCH.take(x -> true);
        if (s == null) {
            s = new Scratch();
        }
        int layer = cx * (y1 - y0 + 2);
        if (s.nextStampBase > Integer.MAX_VALUE / 2) {
            Arrays.fill(s.stampLo, 0);
            Arrays.fill(s.stampHi, 0);
            s.nextStampBase = 1;
        }
        stampBase = s.nextStampBase;
        // Corner layers run from z0 to z1 + 1.
        s.nextStampBase += z1 + 2;
        vertLo = atLeast(s.vertLo, 4 * layer);
        vertHi = atLeast(s.vertHi, 4 * layer);
        maskLo = atLeast(s.maskLo, layer);
        maskHi = atLeast(s.maskHi, layer);
        specialLo = atLeast(s.specialLo, layer);
        specialHi = atLeast(s.specialHi, layer);
        stampLo = atLeast(s.stampLo, layer);
        stampHi = atLeast(s.stampHi, layer);
        pos = s.pos;
        tri = s.tri;
        scratch = s;
    }

    private static int[] atLeast(int[] a, int n) {
        return a.length >= n ? a : new int[Math.max(n, a.length + a.length / 2)];
    }

    private void keepScratch() {
        Scratch s = scratch;
        s.vertLo = vertLo;
        s.vertHi = vertHi;
        s.maskLo = maskLo;
        s.maskHi = maskHi;
        s.specialLo = specialLo;
        s.specialHi = specialHi;
        s.stampLo = stampLo;
        s.stampHi = stampHi;
        s.pos = pos;
        s.tri = tri;
        vertLo = vertHi = maskLo = maskHi = specialLo = specialHi = stampLo = stampHi = tri = null;
        pos = null;
        scratch = null;
        SCRATCH.keep(s);
    }

    private Scratch scratch;

    /**
     * The label's surface, placed by the row-major affine {@code toWorld} (grid space to world) as
     * it is copied out of the scratch arrays: the same floats as {@code mesh.transformed(toWorld)},
     * without a second copy of the positions.
     */
    Mesh mesh(double[] toWorld) {
        takeScratch();
        char[] lab = g.dense;
        int px = g.px;
        int pxy = g.px * g.py;
        int[] step = {1, px, pxy};
        for (int z = z0; z <= z1; z++) {
            for (int y = y0; y <= y1; y++) {
                int row = px * (y + g.py * z);
                for (int x = x0; x <= x1; x++) {
                    int i = row + x;
                    if (lab[i] != d) {
                        continue;
                    }
                    for (int a = 0; a < 3; a++) {
                        if (lab[i + step[a]] != d) {
                            quad(x, y, z, a, true);
                        }
                        if (lab[i - step[a]] != d) {
                            quad(x, y, z, a, false);
                        }
                    }
                }
            }
            // Stamps make stale entries of the recycled layer unknown, without clearing it.
            int[] t = vertLo;
            vertLo = vertHi;
            vertHi = t;
            t = maskLo;
            maskLo = maskHi;
            maskHi = t;
            t = stampLo;
            stampLo = stampHi;
            stampHi = t;
            t = specialLo;
            specialLo = specialHi;
            specialHi = t;
        }
        float[] world = new float[nPos];
        place(pos, nPos, toWorld, world);
        int[] t = Arrays.copyOf(tri, nTri);
        if (mirrors(toWorld)) {
            // A mirror turns the winding inside out: swap two corners of every triangle.
            for (int i = 0; i < t.length; i += 3) {
                int s = t[i + 1];
                t[i + 1] = t[i + 2];
                t[i + 2] = s;
            }
        }
        keepScratch();
        return new Mesh(world, t);
    }

    /** After {@link #mesh} with a field: the same triangles on the unsmoothed corners, placed by {@code toWorld} too. */
    Mesh rawMesh(Mesh smoothed, double[] toWorld) {
        int nv = smoothed.vertexCount();
        float[] raw = new float[3 * nv];
        for (int i = 0; i < nv; i++) {
            System.arraycopy(field.raw, 3 * cornerOf[i], raw, 3 * i, 3);
        }
        for (int k = 0; k < nMoved; k++) {
            for (int a = 0; a < 3; a++) {
                raw[3 * movedVertex[k] + a] += movedBy[3 * k + a];
            }
        }
        place(raw, raw.length, toWorld, raw);
        return new Mesh(raw, smoothed.triangles());
    }

    /**
     * The first n floats of {@code from} (x, y, z triples) through the affine m into {@code to},
     * which may be {@code from}: Mesh.transformed's arithmetic, so the floats are the same.
     */
    static void place(float[] from, int n, double[] m, float[] to) {
        if (isIdentity(m)) {
            System.arraycopy(from, 0, to, 0, n);
            return;
        }
        for (int v = 0; v < n; v += 3) {
            double x = from[v];
            double y = from[v + 1];
            double z = from[v + 2];
            to[v] = (float) (m[0] * x + m[1] * y + m[2] * z + m[3]);
            to[v + 1] = (float) (m[4] * x + m[5] * y + m[6] * z + m[7]);
            to[v + 2] = (float) (m[8] * x + m[9] * y + m[10] * z + m[11]);
        }
    }

    /** Compared with ==, as Mesh.transformed does (-0 counts as 0). */
    private static boolean isIdentity(double[] m) {
        double[] id = Volume.identity();
        for (int i = 0; i < 16; i++) {
            if (m[i] != id[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean mirrors(double[] m) {
        return m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]) < 0;
    }

    private static final int[][] PLUS = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
    private static final int[][] MINUS = {{0, 0}, {0, 1}, {1, 1}, {1, 0}};

    /** The face of voxel (x, y, z) toward +a or -a, counter-clockwise seen from outside. */
    private void quad(int x, int y, int z, int a, boolean plus) {
        int b = (a + 1) % 3;
        int c = (a + 2) % 3;
        int[] p = this.p;
        p[0] = x;
        p[1] = y;
        p[2] = z;
        int[][] order = plus ? PLUS : MINUS;
        int[] v = this.v;
        int[] corner = this.corner;
        for (int k = 0; k < 4; k++) {
            corner[a] = p[a] + (plus ? 1 : 0);
            corner[b] = p[b] + order[k][0];
            corner[c] = p[c] + order[k][1];
            // p's octant seen from this corner: 1 along an axis where p lies on the corner's high side.
            int ob = p[b] - (corner[b] - 1);
            int oc = p[c] - (corner[c] - 1);
            v[k] = vertex(corner, a * 4 + ob + 2 * oc, z);
        }
        if (nTri + 6 > tri.length) {
            tri = Arrays.copyOf(tri, tri.length * 2);
        }
        tri[nTri++] = v[0];
        tri[nTri++] = v[1];
        tri[nTri++] = v[2];
        tri[nTri++] = v[0];
        tri[nTri++] = v[2];
        tri[nTri++] = v[3];
    }

    private int vertex(int[] corner, int face, int z) {
        boolean hi = corner[2] > z;
        int li = (corner[0] - x0) + cx * (corner[1] - y0);
        int[] masks = hi ? maskHi : maskLo;
        int[] stamps = hi ? stampHi : stampLo;
        int[] verts = hi ? vertHi : vertLo;
        int[] specials = hi ? specialHi : specialLo;
        int mask;
        if (stamps[li] != stampBase + corner[2]) {
            stamps[li] = stampBase + corner[2];
            mask = masks[li] = mask(corner);
            verts[4 * li] = verts[4 * li + 1] = verts[4 * li + 2] = verts[4 * li + 3] = -1;
            specials[li] = DiagonalEdges.anyDiagonal(around) ? resolve(corner) : -1;
        } else {
            mask = masks[li];
        }
        int special = specials[li];
        int sheet = special < 0 ? SHEETS[mask * 12 + face] : resolved[special].sheet[face];
        int slot = 4 * li + sheet;
        if (verts[slot] < 0) {
            verts[slot] = nPos / 3;
            if (nPos + 3 > pos.length) {
                pos = Arrays.copyOf(pos, pos.length * 2);
            }
            double ox = 0, oy = 0, oz = 0;
            if (special >= 0) {
                double[] off = resolved[special].offset;
                ox = off[3 * sheet];
                oy = off[3 * sheet + 1];
                oz = off[3 * sheet + 2];
            }
            // A copy moved off its corner (at a diagonal edge) is moved the same in every label's
            // mesh: the same offset, added the same way, so shared faces keep identical points.
            float dx = (float) (ox * g.spacing[0]), dy = (float) (oy * g.spacing[1]), dz = (float) (oz * g.spacing[2]);
            if (field != null) {
                int k = field.find(corner[0], corner[1], corner[2]);
                if (nPos / 3 == cornerOf.length) {
                    cornerOf = Arrays.copyOf(cornerOf, 2 * cornerOf.length);
                }
                cornerOf[nPos / 3] = k;
                if (special >= 0) {
                    moved(nPos / 3, dx, dy, dz);
                }
                pos[nPos++] = field.pos[3 * k] + dx;
                pos[nPos++] = field.pos[3 * k + 1] + dy;
                pos[nPos++] = field.pos[3 * k + 2] + dz;
                return verts[slot];
            }
            // Padded corner c lies between padded voxels c - 1 and c, i.e. at grid index c - 1.5.
            pos[nPos++] = (float) ((corner[0] - 1.5 + ox) * g.spacing[0]);
            pos[nPos++] = (float) ((corner[1] - 1.5 + oy) * g.spacing[1]);
            pos[nPos++] = (float) ((corner[2] - 1.5 + oz) * g.spacing[2]);
        }
        return verts[slot];
    }

    private int resolve(int[] corner) {
        if (nResolved == resolved.length) {
            resolved = Arrays.copyOf(resolved, 2 * nResolved);
        }
        resolved[nResolved] = DiagonalEdges.resolve(g, corner[0], corner[1], corner[2], around, d);
        return nResolved++;
    }

    private void moved(int vertex, float dx, float dy, float dz) {
        if (nMoved == movedVertex.length) {
            movedVertex = Arrays.copyOf(movedVertex, 2 * nMoved);
            movedBy = Arrays.copyOf(movedBy, 6 * nMoved);
        }
        movedVertex[nMoved] = vertex;
        movedBy[3 * nMoved] = dx;
        movedBy[3 * nMoved + 1] = dy;
        movedBy[3 * nMoved + 2] = dz;
        nMoved++;
    }

    /** The label's octants around a corner, with every octant's label left in {@link #around}. */
    private int mask(int[] c) {
        char[] lab = g.dense;
        int base = (c[0] - 1) + g.px * ((c[1] - 1) + g.py * (c[2] - 1));
        int pxy = g.px * g.py;
        int m = 0;
        for (int o = 0; o < 8; o++) {
            int i = base + (o & 1) + ((o >> 1) & 1) * g.px + ((o >> 2) & 1) * pxy;
            char w = lab[i];
            around[o] = w;
            if (w == d) {
                m |= 1 << o;
            }
        }
        return m;
    }

    /** The face between octant o and its neighbour across axis a. */
    static int faceId(int o, int a) {
        int b = (a + 1) % 3;
        int c = (a + 2) % 3;
        return a * 4 + ((o >> b) & 1) + 2 * ((o >> c) & 1);
    }

    private static int faceLow(int f) {
        int a = f / 4;
        return ((f & 1) << ((a + 1) % 3)) | (((f >> 1) & 1) << ((a + 2) % 3));
    }

    /**
     * Faces at a corner are joined along the six half-edges leaving it. Around a half-edge, two
     * faces on the surface are joined; four (the label in two diagonal voxels only) are joined in
     * pairs that wrap each of those voxels, so voxels touching only along an edge stay apart.
     */
    private static byte[] sheetTable() {
        byte[] table = new byte[256 * 12];
        for (int m = 0; m < 256; m++) {
            boolean[] active = new boolean[12];
            for (int f = 0; f < 12; f++) {
                int lo = faceLow(f);
                int hi = lo | 1 << (f / 4);
                active[f] = ((m >> lo) & 1) != ((m >> hi) & 1);
            }
            int[] parent = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
            for (int e = 0; e < 3; e++) {
                for (int s = 0; s < 2; s++) {
                    int[] around = new int[4];
                    int n = 0;
                    for (int f = 0; f < 12; f++) {
                        if (f / 4 != e && ((faceLow(f) >> e) & 1) == s && active[f]) {
                            around[n++] = f;
                        }
                    }
                    if (n == 2) {
                        union(parent, around[0], around[1]);
                    } else if (n == 4) {
                        for (int o = 0; o < 8; o++) {
                            if (((o >> e) & 1) == s && ((m >> o) & 1) == 1) {
                                union(parent, faceId(o, (e + 1) % 3), faceId(o, (e + 2) % 3));
                            }
                        }
                    }
                }
            }
            int[] sheetOfRoot = new int[12];
            Arrays.fill(sheetOfRoot, -1);
            int sheets = 0;
            for (int f = 0; f < 12; f++) {
                table[m * 12 + f] = -1;
                if (active[f]) {
                    int r = find(parent, f);
                    if (sheetOfRoot[r] < 0) {
                        sheetOfRoot[r] = sheets++;
                    }
                    table[m * 12 + f] = (byte) sheetOfRoot[r];
                }
            }
        }
        return table;
    }

    static int find(int[] p, int x) {
        while (p[x] != x) {
            x = p[x] = p[p[x]];
        }
        return x;
    }

    static void union(int[] p, int a, int b) {
        p[find(p, a)] = find(p, b);
    }
}
