package dev.meshpipe.mesh.labels;

import static dev.meshpipe.mesh.labels.SheetMesher.find;
import static dev.meshpipe.mesh.labels.SheetMesher.union;

import java.util.Arrays;

/**
 * Voxel edges where one label holds two diagonal voxels of the four around the edge (a diagonal
 * edge), and the corners at their ends. One vertex per corner and sheet keeps such voxels apart
 * when the label's sheets at the corner are apart; this class decides, per diagonal edge, which of
 * the two diagonal pairs connects through the edge, and gives every corner touching a diagonal edge
 * its sheets and the positions of its copies (docs/labels.md, "Diagonal edges").
 *
 * <p>Half-edge h = 2 * axis + side leaves a corner toward -axis (side 0) or +axis (side 1); the four
 * voxels around it are the corner's octants with that axis bit equal to side, in the cyclic order
 * {@link #AROUND}. At a diagonal edge the pair that connects gets a thin neck: its faces around the
 * edge are paired around the other two voxels (as if those were the label), and the copies of the
 * corner on either side of the neck move {@link #OFFSET} of a voxel toward their own side, so the two
 * sides are distinct points (STL readers weld by position). Every label's sheet lies within one of
 * the corner's position classes (faces joined around the half-edges, split at a neck), so a face
 * two labels share gets the same corner positions in both.
 */
final class DiagonalEdges {
    /** How far, in voxels, the copies of a corner split at a neck move apart from the corner. */
    static final double OFFSET = 1e-3;

    /** Pair that connects through a diagonal edge: none (not diagonal), the even octants (q0, q2) or the odd ones (q1, q3). */
    static final int NONE = 0, EVEN = 1, ODD = 2;

    /** AROUND[h][k]: the k-th octant around half-edge h, cyclically. */
    static final int[][] AROUND = new int[6][4];
    /** FACE[h][k]: the face between AROUND[h][k] and AROUND[h][k + 1]. */
    static final int[][] FACE = new int[6][4];
    /** JOINED[m * 6 + h]: with the label in octants m, its faces around h are one sheet at this corner (one-vertex rule). */
    static final boolean[] JOINED = new boolean[256 * 6];
    /** The same when the label connects through h (its faces there joined around the other two voxels). */
    static final boolean[] JOINED_CONNECTED = new boolean[256 * 6];

    static {
        for (int h = 0; h < 6; h++) {
            int a = h / 2, s = h % 2, b = (a + 1) % 3, c = (a + 2) % 3;
            int[][] bc = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
            for (int k = 0; k < 4; k++) {
                AROUND[h][k] = s << a | bc[k][0] << b | bc[k][1] << c;
            }
            for (int k = 0; k < 4; k++) {
                int o = AROUND[h][k], p = AROUND[h][(k + 1) % 4];
                int differ = Integer.numberOfTrailingZeros(o ^ p);
                FACE[h][k] = SheetMesher.faceId(o, differ);
            }
        }
        for (int m = 0; m < 256; m++) {
            for (int h = 0; h < 6; h++) {
                int s0 = SheetMesher.SHEETS[m * 12 + FACE[h][0]];
                boolean joined = s0 >= 0;
                for (int k = 1; k < 4; k++) {
                    joined &= SheetMesher.SHEETS[m * 12 + FACE[h][k]] == s0;
                }
                JOINED[m * 6 + h] = joined;
                byte[] flipped = labelSheets(m, 1 << h);
                boolean joinedFlipped = flipped[FACE[h][0]] >= 0;
                for (int k = 1; k < 4; k++) {
                    joinedFlipped &= flipped[FACE[h][k]] == flipped[FACE[h][0]];
                }
                JOINED_CONNECTED[m * 6 + h] = joinedFlipped;
            }
        }
    }

    /**
     * Sheet of each face (-1: not the label's) for the label in octants m, connecting through the
     * half-edges in {@code connects} where it is one of the diagonal pairs.
     */
    static byte[] labelSheets(int m, int connects) {
        int[] sh = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        for (int h = 0; h < 6; h++) {
            int[] fs = FACE[h];
            int n = 0;
            for (int k = 0; k < 4; k++) {
                n += active(m, fs[k]) ? 1 : 0;
            }
            if (n == 2) {
                int first = -1;
                for (int k = 0; k < 4; k++) {
                    if (active(m, fs[k])) {
                        if (first < 0) {
                            first = fs[k];
                        } else {
                            union(sh, first, fs[k]);
                        }
                    }
                }
            } else if (n == 4) {
                boolean evenIsLabel = (m >> AROUND[h][0] & 1) == 1;
                boolean labelConnects = (connects >> h & 1) == 1;
                // Faces k - 1 and k wrap q_k: wrap the voxels of the pair that does not connect.
                int start = labelConnects != evenIsLabel ? 0 : 1;
                union(sh, fs[(start + 3) % 4], fs[start]);
                union(sh, fs[start + 1], fs[(start + 2) % 4]);
            }
        }
        byte[] out = new byte[12];
        int[] sheetOfRoot = new int[12];
        Arrays.fill(sheetOfRoot, -1);
        int sheets = 0;
        for (int f = 0; f < 12; f++) {
            out[f] = -1;
            if (active(m, f)) {
                int r = find(sh, f);
                if (sheetOfRoot[r] < 0) {
                    sheetOfRoot[r] = sheets++;
                }
                out[f] = (byte) sheetOfRoot[r];
            }
        }
        return out;
    }

    private DiagonalEdges() {}

    private static int diagonals(char[] v) {
        int n = 0;
        for (int h = 0; h < 6; h++) {
            int[] q = AROUND[h];
            n += pattern(v[q[0]], v[q[1]], v[q[2]], v[q[3]]) != NONE ? 1 : 0;
        }
        return n;
    }

    /** Whether any half-edge at a corner with these eight octant labels is diagonal. */
    static boolean anyDiagonal(char[] v) {
        for (int h = 0; h < 6; h++) {
            int[] q = AROUND[h];
            if (pattern(v[q[0]], v[q[1]], v[q[2]], v[q[3]]) != NONE) {
                return true;
            }
        }
        return false;
    }

    /** EVEN when p0 == p2 differs from p1 and p3, ODD when p1 == p3 differs from p0 and p2 (both: EVEN | ODD), else NONE. */
    private static int pattern(char p0, char p1, char p2, char p3) {
        int r = NONE;
        if (p0 == p2 && p1 != p0 && p3 != p0) {
            r |= EVEN;
        }
        if (p1 == p3 && p0 != p1 && p2 != p1) {
            r |= ODD;
        }
        return r;
    }

    /**
     * Which pair connects through the edge from padded corner (cx, cy, cz) along half-edge h; the
     * same answer from either end (docs/labels.md gives the rule). A label connects where its two
     * voxels are joined around both ends (else that edge would be in four of its triangles). Where
     * the edge is the only diagonal one at both ends, so the tables give the sheets exactly, a label
     * also connects where that does not join its two walls around both ends: always when the other
     * two voxels hold two labels, else the pair that scores more ({@link #connects}), then the
     * smaller label (background before structures). Elsewhere a pair connects where kept apart it
     * would pinch by the one-vertex rule, or where it is diagonal at no other edge at either end,
     * connecting leaves its walls apart around one end, and the other pair, kept apart, cannot be
     * joined around both ends however the other edges there decide; else both pairs stay apart.
     */
    static int decide(LabelSurfaces.Grid g, int cx, int cy, int cz, int h) {
        int a = h / 2;
        // Look from the lower end, so both ends answer alike.
        int[] lo = {cx, cy, cz};
        if (h % 2 == 0) {
            lo[a]--;
        }
        int up = 2 * a + 1, down = 2 * a;
        int[] hi = lo.clone();
        hi[a]++;
        char[] v = new char[8];
        octants(g, lo, v);
        int[] q = AROUND[up];
        char p0 = v[q[0]], p1 = v[q[1]], p2 = v[q[2]], p3 = v[q[3]];
        int pat = pattern(p0, p1, p2, p3);
        if (pat == NONE) {
            return NONE;
        }
        char[] w = new char[8];
        octants(g, hi, w);
        // The tables predict a label's sheets exactly only where this is the corner's one diagonal edge.
        boolean alone = diagonals(v) == 1 && diagonals(w) == 1;
        int even = alone ? connects(v, w, p0, up, down) : connectsWhateverTheOthers(v, w, p0, up, down);
        int odd = alone ? connects(v, w, p1, up, down) : connectsWhateverTheOthers(v, w, p1, up, down);
        if (!alone) {
            // A pair connects only where the other pair, kept apart, cannot be pinched either.
            if ((pat & ODD) != 0 && even == 1 && mayPinchApart(v, w, p1, up, down)) {
                even = 0;
            }
            if ((pat & EVEN) != 0 && odd == 1 && mayPinchApart(v, w, p0, up, down)) {
                odd = 0;
            }
        }
        if (pat == EVEN) {
            return even > 0 ? EVEN : NONE;
        }
        if (pat == ODD) {
            return odd > 0 ? ODD : NONE;
        }
        if (even != odd) {
            return even > odd ? EVEN : ODD;
        }
        return even == 0 ? NONE : g.values[p0] < g.values[p1] ? EVEN : ODD;
    }

    /**
     * At an edge with other diagonal edges at an end, whose decisions this one cannot see: 2 where
     * kept apart the pair is joined around both ends by the one-vertex rule (a pinch, as before), 1
     * where connecting leaves its two walls apart around one end however the other diagonal edges
     * at that end decide, else 0.
     */
    private static int connectsWhateverTheOthers(char[] v, char[] w, char label, int up, int down) {
        int mv = mask(v, label), mw = mask(w, label);
        if (JOINED[mv * 6 + up] && JOINED[mw * 6 + down]) {
            return 2;
        }
        // Connecting changes the label's sheets at both ends, which its own decisions at other
        // diagonal edges there assume apart: only a label diagonal at no other edge there connects.
        if (otherDiagonals(mv, up) != 0 || otherDiagonals(mw, down) != 0) {
            return 0;
        }
        return joinedAround(labelSheets(mv, 1 << up), up) && joinedAround(labelSheets(mw, 1 << down), down) ? 0 : 1;
    }

    /** The half-edges other than h where the label in octants m is diagonal, as bits. */
    private static int otherDiagonals(int m, int h) {
        int out = 0;
        for (int k = 0; k < 6; k++) {
            if (k != h && isDiagonalFor(m, k)) {
                out |= 1 << k;
            }
        }
        return out;
    }

    /** Whether a pair kept apart may be joined around both ends, for some decisions of the other diagonal edges there. */
    private static boolean mayPinchApart(char[] v, char[] w, char label, int up, int down) {
        return mayJoin(mask(v, label), up, false) && mayJoin(mask(w, label), down, false);
    }

    /**
     * Whether the label in octants m has its faces around half-edge h in one sheet, for some
     * choice of connecting or not at the corner's other half-edges where the label is diagonal;
     * at h itself it connects when {@code connected}.
     */
    private static boolean mayJoin(int m, int h, boolean connected) {
        int free = otherDiagonals(m, h);
        int at = connected ? 1 << h : 0;
        // Every subset of the free half-edges.
        for (int s = free; ; s = (s - 1) & free) {
            if (joinedAround(labelSheets(m, at | s), h)) {
                return true;
            }
            if (s == 0) {
                return false;
            }
        }
    }

    private static boolean isDiagonalFor(int m, int h) {
        int[] q = AROUND[h];
        int b0 = m >> q[0] & 1, b1 = m >> q[1] & 1, b2 = m >> q[2] & 1, b3 = m >> q[3] & 1;
        return b0 == b2 && b1 == b3 && b0 != b1;
    }

    private static boolean joinedAround(byte[] sheets, int h) {
        byte s0 = sheets[FACE[h][0]];
        for (int k = 1; k < 4; k++) {
            if (sheets[FACE[h][k]] != s0) {
                return false;
            }
        }
        return s0 >= 0;
    }

    /**
     * How much a diagonal pair wants to connect: 2 when kept apart it would be joined around both
     * ends (a pinch), 1 when connecting leaves its two sides apart around at least one end, 0 when
     * connecting would pinch.
     */
    private static int connects(char[] v, char[] w, char label, int up, int down) {
        int mv = mask(v, label), mw = mask(w, label);
        if (JOINED[mv * 6 + up] && JOINED[mw * 6 + down]) {
            return 2;
        }
        return JOINED_CONNECTED[mv * 6 + up] && JOINED_CONNECTED[mw * 6 + down] ? 0 : 1;
    }

    private static int mask(char[] v, char label) {
        int m = 0;
        for (int o = 0; o < 8; o++) {
            if (v[o] == label) {
                m |= 1 << o;
            }
        }
        return m;
    }

    static void octants(LabelSurfaces.Grid g, int[] c, char[] out) {
        int px = g.px, pxy = g.px * g.py;
        int base = (c[0] - 1) + px * ((c[1] - 1) + g.py * (c[2] - 1));
        for (int o = 0; o < 8; o++) {
            out[o] = g.dense[base + (o & 1) + ((o >> 1) & 1) * px + ((o >> 2) & 1) * pxy];
        }
    }

    /** One corner touching a diagonal edge, resolved for one label: its sheets and each sheet's offset. */
    static final class Corner {
        /** Sheet of each of the 12 faces for the label (-1: not its face). */
        final byte[] sheet = new byte[12];
        /** Offset of each sheet's copy, in voxels along x, y, z (zero where the corner is not split). */
        final double[] offset = new double[12];
    }

    /** The corner (cx, cy, cz) with octant labels v, resolved for label d. */
    static Corner resolve(LabelSurfaces.Grid g, int cx, int cy, int cz, char[] v, char d) {
        int[] decision = new int[6];
        for (int h = 0; h < 6; h++) {
            int[] q = AROUND[h];
            if (pattern(v[q[0]], v[q[1]], v[q[2]], v[q[3]]) != NONE) {
                decision[h] = decide(g, cx, cy, cz, h);
            }
        }
        // Position classes: faces joined around every half-edge, except that at a neck only the
        // faces wrapping each of the two separated voxels are joined.
        int[] cls = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        boolean[] active = new boolean[12];
        for (int f = 0; f < 12; f++) {
            int lo = faceLow(f);
            active[f] = v[lo] != v[lo | 1 << (f / 4)];
        }
        for (int h = 0; h < 6; h++) {
            int[] fs = FACE[h];
            if (decision[h] == NONE) {
                int first = -1;
                for (int k = 0; k < 4; k++) {
                    if (active[fs[k]]) {
                        if (first < 0) {
                            first = fs[k];
                        } else {
                            union(cls, first, fs[k]);
                        }
                    }
                }
            } else {
                // The separated voxels are q1, q3 when the even pair connects: faces k-1 and k wrap q_k.
                int start = decision[h] == EVEN ? 1 : 0;
                union(cls, fs[(start + 3) % 4], fs[start]);
                union(cls, fs[start + 1], fs[(start + 2) % 4]);
            }
        }
        // The label's sheets: as SheetMesher.SHEETS, but connecting where its pair connects.
        int m = mask(v, d);
        int connects = 0;
        for (int h = 0; h < 6; h++) {
            int evenOrOdd = (m >> AROUND[h][0] & 1) == 1 ? EVEN : ODD;
            if (decision[h] == evenOrOdd && (m >> AROUND[h][0] & 1) != (m >> AROUND[h][1] & 1)) {
                connects |= 1 << h;
            }
        }
        byte[] labelSheet = labelSheets(m, connects);
        Corner out = new Corner();
        int classes = 0;
        boolean[] seen = new boolean[12];
        for (int f = 0; f < 12; f++) {
            if (active[f] && !seen[find(cls, f)]) {
                seen[find(cls, f)] = true;
                classes++;
            }
        }
        for (int f = 0; f < 12; f++) {
            out.sheet[f] = labelSheet[f];
            if (labelSheet[f] >= 0 && classes > 1) {
                classOffset(cls, active, find(cls, f), out.offset, 3 * labelSheet[f]);
            }
        }
        return out;
    }

    /** OFFSET toward the mean of the centres of the class's faces (each seen from the corner). */
    private static void classOffset(int[] cls, boolean[] active, int root, double[] out, int at) {
        double[] sum = new double[3];
        for (int f = 0; f < 12; f++) {
            if (active[f] && find(cls, f) == root) {
                int a = f / 4;
                sum[(a + 1) % 3] += (f & 1) == 1 ? 0.5 : -0.5;
                sum[(a + 2) % 3] += (f >> 1 & 1) == 1 ? 0.5 : -0.5;
            }
        }
        double len = Math.sqrt(sum[0] * sum[0] + sum[1] * sum[1] + sum[2] * sum[2]);
        if (len > 0) {
            for (int a = 0; a < 3; a++) {
                out[at + a] = OFFSET * sum[a] / len;
            }
        }
    }

    private static boolean active(int m, int f) {
        int lo = faceLow(f);
        return ((m >> lo) & 1) != ((m >> (lo | 1 << (f / 4))) & 1);
    }

    static int faceLow(int f) {
        int a = f / 4;
        return ((f & 1) << ((a + 1) % 3)) | (((f >> 1) & 1) << ((a + 2) % 3));
    }
}
