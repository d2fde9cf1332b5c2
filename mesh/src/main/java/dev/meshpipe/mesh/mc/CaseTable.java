package dev.meshpipe.mesh.mc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The 256 marching-cubes cases, built at class load from one rule rather than typed in:
 * on a face whose diagonal corners are both inside, the inside corners are kept apart (each gets
 * its own cut). That is the rule VTK's {@code vtkMarchingCubes} table follows, so every case gives
 * the same polygons, and so the same triangle counts, as VTK. Each polygon is oriented so its normal
 * points from inside corners (value &gt;= iso) to outside ones, and triangulated without any
 * diagonal that lies in a cube face: such a diagonal can coincide with the neighbouring cell's
 * polygon edge and make the mesh non-manifold. Among those triangulations the one with the
 * shortest diagonals (between edge midpoints) is taken.
 *
 * <p>Corner and edge numbering follow VTK: corner {@code c} sits at
 * ({@code c&1 ^ (c>>1)&1}, {@code (c>>1)&1}, {@code c>>2}); edges run from their lower to their
 * higher corner.
 */
public final class CaseTable {
    /** Corner positions (x, y, z). */
    static final int[][] CORNER = {
        {0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 1, 1}};
    /** Edge endpoints, lower corner first. */
    public static final int[][] EDGE = {
        {0, 1}, {1, 2}, {3, 2}, {0, 3}, {4, 5}, {5, 6}, {7, 6}, {4, 7}, {0, 4}, {1, 5}, {3, 7}, {2, 6}};
    /** Faces as corner cycles, with outward normals. */
    private static final int[][] FACE = {
        {0, 1, 2, 3}, {4, 5, 6, 7}, {0, 1, 5, 4}, {3, 2, 6, 7}, {0, 3, 7, 4}, {1, 2, 6, 5}};
    private static final int[][] FACE_NORMAL = {
        {0, 0, -1}, {0, 0, 1}, {0, -1, 0}, {0, 1, 0}, {-1, 0, 0}, {1, 0, 0}};

    /** Triangles per case. */
    public static final int[] TRIANGLE_COUNT = new int[256];
    /** Edge triples per case, 15 slots, unused ones -1. */
    public static final int[][] TRIANGLES = new int[256][];

    static {
        for (int c = 0; c < 256; c++) {
            int[] tris = build(c);
            TRIANGLE_COUNT[c] = tris.length / 3;
            int[] padded = new int[15];
            Arrays.fill(padded, -1);
            System.arraycopy(tris, 0, padded, 0, tris.length);
            TRIANGLES[c] = padded;
        }
    }

    private CaseTable() {}

    /** The table flattened to 256 x 16 ints (count first, then 15 edge slots), for the GPU kernels. */
    public static int[] flattened() {
        int[] out = new int[256 * 16];
        for (int c = 0; c < 256; c++) {
            out[16 * c] = TRIANGLE_COUNT[c];
            System.arraycopy(TRIANGLES[c], 0, out, 16 * c + 1, 15);
        }
        return out;
    }

    static int edgeBetween(int a, int b) {
        for (int e = 0; e < 12; e++) {
            if ((EDGE[e][0] == a && EDGE[e][1] == b) || (EDGE[e][0] == b && EDGE[e][1] == a)) {
                return e;
            }
        }
        throw new IllegalArgumentException("corners " + a + " and " + b + " share no edge");
    }

    private static int[] build(int caseIndex) {
        int[] next = new int[12];
        Arrays.fill(next, -1);
        for (int f = 0; f < 6; f++) {
            int[] fc = FACE[f];
            boolean[] in = new boolean[4];
            int insideCount = 0;
            for (int m = 0; m < 4; m++) {
                in[m] = (caseIndex >> fc[m] & 1) != 0;
                insideCount += in[m] ? 1 : 0;
            }
            if (insideCount == 0 || insideCount == 4) {
                continue;
            }
            boolean ambiguous = insideCount == 2 && in[0] == in[2];
            if (ambiguous) {
                for (int m = 0; m < 4; m++) {
                    if (in[m]) {
                        int q = fc[m];
                        int a = edgeBetween(q, fc[(m + 3) % 4]);
                        int b = edgeBetween(q, fc[(m + 1) % 4]);
                        double[] away = sub(mid(a, b), pos(q));
                        link(next, a, b, away, FACE_NORMAL[f]);
                    }
                }
            } else {
                List<Integer> crossed = new ArrayList<>();
                double[] inC = new double[3];
                double[] outC = new double[3];
                for (int m = 0; m < 4; m++) {
                    int p = fc[m];
                    int q = fc[(m + 1) % 4];
                    if (in[m] != in[(m + 1) % 4]) {
                        crossed.add(edgeBetween(p, q));
                    }
                    addTo(in[m] ? inC : outC, pos(p), 1.0 / (in[m] ? insideCount : 4 - insideCount));
                }
                link(next, crossed.get(0), crossed.get(1), sub(outC, inC), FACE_NORMAL[f]);
            }
        }
        List<Integer> tris = new ArrayList<>();
        boolean[] seen = new boolean[12];
        for (int start = 0; start < 12; start++) {
            if (next[start] < 0 || seen[start]) {
                continue;
            }
            List<Integer> loop = new ArrayList<>();
            for (int e = start; !seen[e]; e = next[e]) {
                seen[e] = true;
                loop.add(e);
                if (next[e] < 0) {
                    throw new IllegalStateException("case " + caseIndex + ": open polygon");
                }
            }
            triangulate(loop, tris);
        }
        return tris.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Minimum-weight triangulation of a polygon of cube edges, with in-face diagonals forbidden. */
    private static void triangulate(List<Integer> loop, List<Integer> tris) {
        int n = loop.size();
        double[][] cost = new double[n][n];
        int[][] split = new int[n][n];
        for (int len = 2; len < n; len++) {
            for (int i = 0; i + len < n; i++) {
                int j = i + len;
                cost[i][j] = Double.POSITIVE_INFINITY;
                for (int k = i + 1; k < j; k++) {
                    double c = cost[i][k] + cost[k][j] + diagonal(loop, i, k) + diagonal(loop, k, j);
                    if (c < cost[i][j]) {
                        cost[i][j] = c;
                        split[i][j] = k;
                    }
                }
            }
        }
        if (cost[0][n - 1] == Double.POSITIVE_INFINITY) {
            throw new IllegalStateException("no manifold triangulation of loop " + loop);
        }
        emit(loop, 0, n - 1, split, tris);
    }

    private static void emit(List<Integer> loop, int i, int j, int[][] split, List<Integer> tris) {
        if (j - i < 2) {
            return;
        }
        int k = split[i][j];
        tris.add(loop.get(i));
        tris.add(loop.get(k));
        tris.add(loop.get(j));
        emit(loop, i, k, split, tris);
        emit(loop, k, j, split, tris);
    }

    /** The cost of joining polygon vertices a and b: 0 for a polygon side, infinite when it lies in a face. */
    private static double diagonal(List<Integer> loop, int a, int b) {
        int n = loop.size();
        if (Math.abs(a - b) == 1 || Math.abs(a - b) == n - 1) {
            return 0;
        }
        int ea = loop.get(a);
        int eb = loop.get(b);
        if (shareFace(ea, eb)) {
            return Double.POSITIVE_INFINITY;
        }
        double[] d = sub(edgeMid(ea), edgeMid(eb));
        return Math.sqrt(dot(d, d));
    }

    private static boolean shareFace(int ea, int eb) {
        for (int[] face : FACE) {
            int hits = 0;
            for (int e : new int[] {ea, eb}) {
                boolean a = false;
                boolean b = false;
                for (int c : face) {
                    a |= c == EDGE[e][0];
                    b |= c == EDGE[e][1];
                }
                hits += a && b ? 1 : 0;
            }
            if (hits == 2) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records the polygon edge between crossings {@code a} and {@code b} on a face, directed so the
     * polygon's normal points along {@code away} (from inside corners to outside ones): for a
     * boundary segment of a polygon lying inside the cube, that direction is away x faceNormal.
     */
    private static void link(int[] next, int a, int b, double[] away, int[] faceNormal) {
        double[] dir = cross(away, new double[] {faceNormal[0], faceNormal[1], faceNormal[2]});
        double[] ab = sub(edgeMid(b), edgeMid(a));
        if (dot(ab, dir) < 0) {
            int t = a;
            a = b;
            b = t;
        }
        if (next[a] >= 0) {
            throw new IllegalStateException("edge " + a + " has two successors");
        }
        next[a] = b;
    }

    private static double[] pos(int corner) {
        return new double[] {CORNER[corner][0], CORNER[corner][1], CORNER[corner][2]};
    }

    private static double[] edgeMid(int e) {
        double[] a = pos(EDGE[e][0]);
        double[] b = pos(EDGE[e][1]);
        return new double[] {(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2};
    }

    private static double[] mid(int edgeA, int edgeB) {
        double[] a = edgeMid(edgeA);
        double[] b = edgeMid(edgeB);
        return new double[] {(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2};
    }

    private static double[] sub(double[] a, double[] b) {
        return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    private static void addTo(double[] acc, double[] v, double w) {
        acc[0] += v[0] * w;
        acc[1] += v[1] * w;
        acc[2] += v[2] * w;
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }
}
