package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.finish.WindowedSincSmoother;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Constrained smoothing of a whole label map's surface at once, so neighbouring structures keep
 * sharing their boundary. Surface Nets puts every vertex on a voxel corner; this class numbers the
 * corners where labels change (each once, whatever the number of structures and sheets there),
 * smooths those corner positions with windowed sinc (the filter of {@link WindowedSincSmoother}),
 * then moves them along volume gradients until every structure's enclosed volume is back within
 * {@link #VOLUME_TOLERANCE} of its voxel volume. The per-structure meshes are then built by
 * {@link SheetMesher} with these positions, so a corner two structures share is one point in both.
 *
 * <p>Constraints (documented in docs/labels.md):
 * <ul>
 * <li>a corner whose eight voxels hold two labels is free and averages over all its surface
 *     edges (voxel edges whose four voxels are not all one label);
 * <li>a corner on a line where three or more labels meet is smoothed along that line only, i.e. over
 *     the edges whose four voxels also hold three or more labels, when it has exactly two such
 *     edges; with any other number (where lines meet or end) it is held, so the junction graph keeps
 *     its shape;
 * <li>a corner on the volume's border plane keeps its coordinate across that plane, so caps where a
 *     structure is cut by the border stay flat on the border.
 * </ul>
 *
 * <p>The volume correction moves only free corners (a structure and one neighbour): along the
 * gradient of the structure's volume, by t_a - t_b for its two labels a and b, one unknown t per
 * structure. The linearised system M t = dV is a weighted graph Laplacian over structures (labels
 * that are not structures, background included, have t = 0), solved by conjugate gradients, and
 * the step is repeated on the new positions until every structure is within tolerance.
 */
public final class LabelSmoothing {
    /** Relative volume error the correction stops at; the bound is 1%. */
    public static final double VOLUME_TOLERANCE = 1e-3;
    static final int MAX_CORRECTION_STEPS = 8;
    /** A structure smoothed below this share of its volume (a speck) goes back to its voxel shape. */
    static final double MIN_KEPT_RATIO = 0.5;

    private static final byte HELD_X = 1, HELD_Y = 2, HELD_Z = 4, HELD = 7, JUNCTION = 8;

    /** Slicer's default factor 0.25 (passband 0.1) with its 20 iterations. */
    public record Options(int iterations, double passBand, boolean correctVolume) {
        public static Options defaults() {
            return new Options(WindowedSincSmoother.SLICER_ITERATIONS, WindowedSincSmoother.passBandForFactor(0.25), true);
        }

        public Options {
            if (iterations < 0 || iterations > WindowedSincSmoother.MAX_ITERATIONS) {
                throw new MeshException(MeshError.INVALID_PARAMETER, "smoothing iterations must be 0 to " + WindowedSincSmoother.MAX_ITERATIONS);
            }
            if (!(passBand > 0 && passBand < 2)) {
                throw new MeshException(MeshError.INVALID_PARAMETER, "smoothing passband must be above 0 and below 2");
            }
        }
    }

    /**
     * The corners of a label map's multi-label surface with their raw and current positions (grid
     * space: index times spacing, as {@link SheetMesher} writes them), found by key through a
     * per-row index.
     */
    static final class Field {
        final LabelSurfaces.Grid g;
        int n;
        /** Sorted corner keys cx + px * (cy + py * cz); rowStart[cy + py * cz] is the first of that row. */
        int[] key;
        final int[] rowStart;
        float[] raw;
        float[] pos;
        byte[] flags;
        /** For corners with two labels: the smaller and larger dense label. */
        char[] lo, hi;
        /** Neighbours toward -x, -y, -z (-1 where that edge is not on the surface). */
        int[] minus;
        /** Bit a set when the edge toward -a has three or more labels around it. */
        byte[] junctionEdge;
        final Faces faces = new Faces();
        // figures for the report
        int heldCorners, lineCorners, revertedStructures, correctionSteps;
        double worstVolumeError;

        Field(LabelSurfaces.Grid g) {
            this.g = g;
            this.rowStart = new int[g.py * g.pz + 1];
        }

        int find(int cx, int cy, int cz) {
            int row = cy + g.py * cz;
            int k = cx + g.px * row;
            return Arrays.binarySearch(key, rowStart[row], rowStart[row + 1], k);
        }
    }

    private LabelSmoothing() {}

    /**
     * Builds the corner field of {@code g}, smooths it and corrects the volumes of the labels
     * marked in {@code structure} (by dense index).
     */
    static Field smooth(LabelSurfaces.Grid g, boolean[] structure, Options options, int threads) {
        Field f = corners(g);
        if (options.iterations() > 0 && f.n > 0) {
            int[][] csr = neighbours(f);
            windowedSinc(f, csr[0], csr[1], options.iterations(), options.passBand(), threads);
        }
        if (options.correctVolume()) {
            correctVolumes(f, structure);
        }
        return f;
    }

    // ---- corners -------------------------------------------------------------------------------

    static Field corners(LabelSurfaces.Grid g) {
        Field f = new Field(g);
        char[] lab = g.dense;
        int px = g.px, py = g.py, pz = g.pz, pxy = px * py;
        int cap = 1 << 16;
        int[] key = new int[cap];
        float[] raw = new float[3 * cap];
        byte[] flags = new byte[cap];
        char[] lo = new char[cap], hi = new char[cap];
        int[] minus = new int[3 * cap];
        byte[] junctionEdge = new byte[cap];
        int n = 0;
        char[] v = new char[8];
        double sx = g.spacing[0], sy = g.spacing[1], sz = g.spacing[2];
        for (int cz = 1; cz < pz; cz++) {
            for (int cy = 1; cy < py; cy++) {
                int row = cy + py * cz;
                f.rowStart[row] = n;
                int base0 = px * ((cy - 1) + py * (cz - 1)) - 1;
                for (int cx = 1; cx < px; cx++) {
                    int b = base0 + cx;
                    v[0] = lab[b];
                    v[1] = lab[b + 1];
                    v[2] = lab[b + px];
                    v[3] = lab[b + px + 1];
                    v[4] = lab[b + pxy];
                    v[5] = lab[b + pxy + 1];
                    v[6] = lab[b + pxy + px];
                    v[7] = lab[b + pxy + px + 1];
                    char a = v[0];
                    if (a == v[1] && a == v[2] && a == v[3] && a == v[4] && a == v[5] && a == v[6] && a == v[7]) {
                        continue;
                    }
                    if (n == key.length) {
                        int c = 2 * n;
                        key = Arrays.copyOf(key, c);
                        raw = Arrays.copyOf(raw, 3 * c);
                        flags = Arrays.copyOf(flags, c);
                        lo = Arrays.copyOf(lo, c);
                        hi = Arrays.copyOf(hi, c);
                        minus = Arrays.copyOf(minus, 3 * c);
                        junctionEdge = Arrays.copyOf(junctionEdge, c);
                    }
                    key[n] = cx + px * row;
                    // Padded corner c lies between padded voxels c - 1 and c, i.e. at grid index c - 1.5.
                    raw[3 * n] = (float) ((cx - 1.5) * sx);
                    raw[3 * n + 1] = (float) ((cy - 1.5) * sy);
                    raw[3 * n + 2] = (float) ((cz - 1.5) * sz);
                    char other = a;
                    int distinct = 1;
                    for (int o = 1; o < 8 && distinct < 3; o++) {
                        char w = v[o];
                        if (w != a && distinct == 1) {
                            other = w;
                            distinct = 2;
                        } else if (w != a && w != other) {
                            distinct = 3;
                        }
                    }
                    char mn = (char) Math.min(a, other), mx = (char) Math.max(a, other);
                    byte fl = 0;
                    if (distinct >= 3) {
                        fl |= JUNCTION;
                    } else {
                        lo[n] = mn;
                        hi[n] = mx;
                    }
                    if (cx == 1 || cx == px - 1) {
                        fl |= HELD_X;
                    }
                    if (cy == 1 || cy == py - 1) {
                        fl |= HELD_Y;
                    }
                    if (cz == 1 || cz == pz - 1) {
                        fl |= HELD_Z;
                    }
                    flags[n] = fl;
                    // Edges toward -x, -y, -z: the four voxels around each have that axis's bit 0.
                    byte je = 0;
                    int mx0 = edge(v[0], v[2], v[4], v[6]);
                    minus[3 * n] = mx0 == 0 ? -1 : n - 1;
                    je |= mx0 == 2 ? 1 : 0;
                    int my = edge(v[0], v[1], v[4], v[5]);
                    minus[3 * n + 1] = my == 0 ? -1 : find(key, f.rowStart, px, py, cx, cy - 1, cz, n);
                    je |= my == 2 ? 2 : 0;
                    int mz = edge(v[0], v[1], v[2], v[3]);
                    minus[3 * n + 2] = mz == 0 ? -1 : find(key, f.rowStart, px, py, cx, cy, cz - 1, n);
                    je |= mz == 2 ? 4 : 0;
                    junctionEdge[n] = je;
                    // Faces perpendicular to a whose largest corner is this one: between the voxels
                    // of octants 0 and 1 << a (the other two bits 0).
                    for (int ax = 0; ax < 3; ax++) {
                        char below = v[0], above = v[1 << ax];
                        if (below != above) {
                            int mb = minus[3 * n + (ax + 1) % 3], mc = minus[3 * n + (ax + 2) % 3];
                            f.faces.add(minus[3 * mb + (ax + 2) % 3], mc, n, mb, below, above);
                        }
                    }
                    n++;
                }
            }
        }
        f.rowStart[py * pz] = n;
        // Rows before the first corner row (cz = 0) and after the last stay at their start values;
        // make every row's end the next row's start.
        for (int r = py * pz - 1; r >= 0; r--) {
            int cz = r / py, cy = r % py;
            if (cz < 1 || cy < 1) {
                f.rowStart[r] = r == 0 ? 0 : -1;
            }
        }
        int last = n;
        for (int r = py * pz - 1; r >= 0; r--) {
            if (f.rowStart[r] < 0) {
                f.rowStart[r] = last;
            }
            last = f.rowStart[r];
        }
        f.n = n;
        f.key = Arrays.copyOf(key, n);
        f.raw = Arrays.copyOf(raw, 3 * n);
        f.pos = f.raw.clone();
        f.flags = Arrays.copyOf(flags, n);
        f.lo = Arrays.copyOf(lo, n);
        f.hi = Arrays.copyOf(hi, n);
        f.minus = Arrays.copyOf(minus, 3 * n);
        f.junctionEdge = Arrays.copyOf(junctionEdge, n);
        return f;
    }

    /** 0: one label around the edge (not on the surface); 1: two; 2: three or more. */
    private static int edge(char a, char b, char c, char d) {
        if (a == b && a == c && a == d) {
            return 0;
        }
        char x = a, y = a != b ? b : a != c ? c : d;
        return (b == x || b == y) && (c == x || c == y) && (d == x || d == y) ? 1 : 2;
    }

    private static int find(int[] key, int[] rowStart, int px, int py, int cx, int cy, int cz, int n) {
        int row = cy + py * cz;
        int to = row + 1 < rowStart.length && rowStart[row + 1] > rowStart[row] ? rowStart[row + 1] : n;
        int i = Arrays.binarySearch(key, rowStart[row], to, cx + px * row);
        if (i < 0) {
            throw new IllegalStateException("surface edge to a corner not on the surface");
        }
        return i;
    }

    /**
     * Smoothing neighbours in compressed rows: a free corner's are all its surface edges'; a line
     * corner's its two junction edges'. Junction corners without exactly two become held.
     */
    static int[][] neighbours(Field f) {
        int n = f.n;
        int[] count = new int[n + 1];
        for (int v = 0; v < n; v++) {
            for (int a = 0; a < 3; a++) {
                int u = f.minus[3 * v + a];
                if (u < 0) {
                    continue;
                }
                boolean j = (f.junctionEdge[v] >> a & 1) != 0;
                if (uses(f, v, j)) {
                    count[v]++;
                }
                if (uses(f, u, j)) {
                    count[u]++;
                }
            }
        }
        for (int v = 0; v < n; v++) {
            if ((f.flags[v] & JUNCTION) != 0) {
                if (count[v] == 2) {
                    f.lineCorners++;
                } else {
                    f.flags[v] |= HELD;
                    f.heldCorners++;
                }
            }
        }
        int[] off = new int[n + 1];
        for (int v = 0; v < n; v++) {
            off[v + 1] = off[v] + count[v];
        }
        int[] fill = Arrays.copyOf(off, n);
        int[] nb = new int[off[n]];
        for (int v = 0; v < n; v++) {
            for (int a = 0; a < 3; a++) {
                int u = f.minus[3 * v + a];
                if (u < 0) {
                    continue;
                }
                boolean j = (f.junctionEdge[v] >> a & 1) != 0;
                if (uses(f, v, j)) {
                    nb[fill[v]++] = u;
                }
                if (uses(f, u, j)) {
                    nb[fill[u]++] = v;
                }
            }
        }
        return new int[][] {off, nb};
    }

    private static boolean uses(Field f, int v, boolean junctionEdge) {
        return (f.flags[v] & JUNCTION) == 0 || junctionEdge;
    }

    // ---- windowed sinc -------------------------------------------------------------------------

    /**
     * VTK's windowed-sinc recurrence (as in {@link WindowedSincSmoother}) where a held coordinate
     * keeps its value in every iterate, so a border corner slides in its plane and a held corner
     * stays.
     */
    static void windowedSinc(Field f, int[] off, int[] nb, int iterations, double passBand, int threads) {
        int n = f.n;
        double[] c = WindowedSincSmoother.coefficients(iterations, passBand);
        float[] src = f.pos;
        float[] centre = centre(src);
        float[] x0 = new float[src.length];
        for (int i = 0; i < src.length; i++) {
            x0[i] = src[i] - centre[i % 3];
        }
        float[] x1 = x0.clone();
        float[] x2 = x0.clone();
        float[] sum = new float[src.length];
        byte[] flags = f.flags;
        float c0 = (float) c[0], c1 = (float) c[1];
        float[] a0 = x0, a1 = x1;
        LabelSurfaces.runRanges(threads, n, (from, to) -> {
            for (int v = from; v < to; v++) {
                int s = off[v], e = off[v + 1];
                float inv = e > s ? 1f / (e - s) : 0f;
                for (int a = 0; a < 3; a++) {
                    int p = 3 * v + a;
                    if ((flags[v] >> a & 1) == 0 && e > s) {
                        float acc = 0;
                        for (int k = s; k < e; k++) {
                            acc += a0[3 * nb[k] + a];
                        }
                        a1[p] = a0[p] - 0.5f * (a0[p] - acc * inv);
                    }
                    sum[p] = c0 * a0[p] + c1 * a1[p];
                }
            }
        });
        for (int it = 2; it <= iterations; it++) {
            float ck = (float) c[it];
            float[] prev = x0, cur = x1, next = x2;
            LabelSurfaces.runRanges(threads, n, (from, to) -> {
                for (int v = from; v < to; v++) {
                    int s = off[v], e = off[v + 1];
                    float inv = e > s ? 1f / (e - s) : 0f;
                    if ((flags[v] & HELD) == 0 && e > s) {
                        // The common case, a free corner: all three axes in one pass over the neighbours.
                        float ax = 0, ay = 0, az = 0;
                        for (int k = s; k < e; k++) {
                            int q = 3 * nb[k];
                            ax += cur[q];
                            ay += cur[q + 1];
                            az += cur[q + 2];
                        }
                        int p = 3 * v;
                        float nx = cur[p] + ax * inv - prev[p];
                        float ny = cur[p + 1] + ay * inv - prev[p + 1];
                        float nz = cur[p + 2] + az * inv - prev[p + 2];
                        next[p] = nx;
                        next[p + 1] = ny;
                        next[p + 2] = nz;
                        sum[p] += ck * nx;
                        sum[p + 1] += ck * ny;
                        sum[p + 2] += ck * nz;
                        continue;
                    }
                    for (int a = 0; a < 3; a++) {
                        int p = 3 * v + a;
                        if ((flags[v] >> a & 1) == 0 && e > s) {
                            float acc = 0;
                            for (int k = s; k < e; k++) {
                                acc += cur[3 * nb[k] + a];
                            }
                            // T(n+1) = 2 (I - K/2) T(n) - T(n-1), K the Laplacian
                            next[p] = cur[p] + acc * inv - prev[p];
                        } else {
                            next[p] = cur[p];
                        }
                        sum[p] += ck * next[p];
                    }
                }
            });
            x0 = cur;
            x1 = next;
            x2 = prev;
        }
        for (int v = 0; v < n; v++) {
            for (int a = 0; a < 3; a++) {
                int p = 3 * v + a;
                // Held coordinates get their exact value back (the sum of coefficients is 1 only to 1e-3).
                src[p] = (flags[v] >> a & 1) != 0 || off[v + 1] == off[v] ? src[p] : sum[p] + centre[a];
            }
        }
    }

    private static float[] centre(float[] p) {
        float[] min = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
        float[] max = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
        for (int i = 0; i < p.length; i++) {
            min[i % 3] = Math.min(min[i % 3], p[i]);
            max[i % 3] = Math.max(max[i % 3], p[i]);
        }
        return new float[] {(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2};
    }

    // ---- volumes -------------------------------------------------------------------------------

    /**
     * Every face between two different labels once, as its four corners in the order that winds it
     * counter-clockwise seen from the lower voxel's label (the voxel at the smaller coordinate),
     * with both labels. Same corners and diagonal as {@link SheetMesher}, so the volumes agree.
     * Found while numbering the corners: each face is recorded at its corner of largest
     * coordinates, whose links toward -b and -c lead to the other three.
     */
    static final class Faces {
        int n;
        int[] corners = new int[4 * 1024];
        char[] labels = new char[2 * 1024];

        void add(int c0, int c1, int c2, int c3, char la, char lb) {
            if (n == labels.length / 2) {
                corners = Arrays.copyOf(corners, 8 * n);
                labels = Arrays.copyOf(labels, 4 * n);
            }
            corners[4 * n] = c0;
            corners[4 * n + 1] = c1;
            corners[4 * n + 2] = c2;
            corners[4 * n + 3] = c3;
            labels[2 * n] = la;
            labels[2 * n + 1] = lb;
            n++;
        }
    }

    /** Enclosed volume of every dense label, grid space. */
    static double[] volumes(Field f, Faces faces) {
        double[] vol = new double[f.g.values.length];
        float[] x = f.pos;
        int[] q = faces.corners;
        for (int i = 0; i < faces.n; i++) {
            double v = tet(x, q[4 * i], q[4 * i + 1], q[4 * i + 2]) + tet(x, q[4 * i], q[4 * i + 2], q[4 * i + 3]);
            vol[faces.labels[2 * i]] += v;
            vol[faces.labels[2 * i + 1]] -= v;
        }
        return vol;
    }

    private static double tet(float[] x, int a, int b, int c) {
        double ax = x[3 * a], ay = x[3 * a + 1], az = x[3 * a + 2];
        double bx = x[3 * b], by = x[3 * b + 1], bz = x[3 * b + 2];
        double cx = x[3 * c], cy = x[3 * c + 1], cz = x[3 * c + 2];
        return (ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx)) / 6.0;
    }

    static void correctVolumes(Field f, boolean[] structure) {
        Faces faces = f.faces;
        int nl = f.g.values.length;
        double[] target = new double[nl];
        double voxel = f.g.spacing[0] * f.g.spacing[1] * f.g.spacing[2];
        for (int d = 0; d < nl; d++) {
            target[d] = f.g.counts[d] * voxel;
        }
        double[] vol = volumes(f, faces);
        revertSpecks(f, structure, vol, target);
        vol = volumes(f, faces);
        for (int step = 0; step < MAX_CORRECTION_STEPS; step++) {
            double worst = 0;
            for (int d = 0; d < nl; d++) {
                if (structure[d]) {
                    worst = Math.max(worst, Math.abs(vol[d] - target[d]) / target[d]);
                }
            }
            f.worstVolumeError = worst;
            if (worst <= VOLUME_TOLERANCE) {
                return;
            }
            f.correctionSteps++;
            correctionStep(f, faces, structure, vol, target);
            vol = volumes(f, faces);
        }
        double worst = 0;
        for (int d = 0; d < nl; d++) {
            if (structure[d]) {
                worst = Math.max(worst, Math.abs(vol[d] - target[d]) / target[d]);
            }
        }
        f.worstVolumeError = worst;
    }

    /** Structures that smoothing shrank toward a point get their corners' voxel positions back. */
    private static void revertSpecks(Field f, boolean[] structure, double[] vol, double[] target) {
        boolean[] speck = new boolean[vol.length];
        boolean any = false;
        for (int d = 0; d < vol.length; d++) {
            if (structure[d] && !(vol[d] >= MIN_KEPT_RATIO * target[d])) {
                speck[d] = true;
                any = true;
                f.revertedStructures++;
            }
        }
        if (!any) {
            return;
        }
        LabelSurfaces.Grid g = f.g;
        int px = g.px, pxy = g.px * g.py;
        for (int v = 0; v < f.n; v++) {
            int k = f.key[v];
            int cx = k % px, cy = (k / px) % g.py, cz = k / pxy;
            int b = (cx - 1) + px * ((cy - 1) + g.py * (cz - 1));
            boolean touches = false;
            for (int o = 0; o < 8 && !touches; o++) {
                touches = speck[g.dense[b + (o & 1) + ((o >> 1) & 1) * px + ((o >> 2) & 1) * pxy]];
            }
            if (touches) {
                System.arraycopy(f.raw, 3 * v, f.pos, 3 * v, 3);
            }
        }
    }

    /** One linearised step: gradients, the structure system, and the move. */
    private static void correctionStep(Field f, Faces faces, boolean[] structure, double[] vol, double[] target) {
        int n = f.n;
        float[] x = f.pos;
        double[] grad = new double[3 * n];
        int[] q = faces.corners;
        int[] tri = new int[3];
        for (int i = 0; i < faces.n; i++) {
            char la = faces.labels[2 * i];
            for (int t = 0; t < 2; t++) {
                tri[0] = q[4 * i];
                tri[1] = q[4 * i + 1 + t];
                tri[2] = q[4 * i + 2 + t];
                for (int k = 0; k < 3; k++) {
                    int v = tri[k];
                    if (!movable(f.flags[v])) {
                        continue;
                    }
                    int b = tri[(k + 1) % 3], c = tri[(k + 2) % 3];
                    // d/dx_v of x_v . (x_b x x_c) / 6 for the lower voxel's label; sign for f.lo[v]
                    double s = la == f.lo[v] ? 1.0 / 6 : -1.0 / 6;
                    grad[3 * v] += s * ((double) x[3 * b + 1] * x[3 * c + 2] - (double) x[3 * b + 2] * x[3 * c + 1]);
                    grad[3 * v + 1] += s * ((double) x[3 * b + 2] * x[3 * c] - (double) x[3 * b] * x[3 * c + 2]);
                    grad[3 * v + 2] += s * ((double) x[3 * b] * x[3 * c + 1] - (double) x[3 * b + 1] * x[3 * c]);
                }
            }
        }
        int nl = vol.length;
        double[] diag = new double[nl];
        Map<Long, double[]> off = new HashMap<>();
        long lastKey = -1;
        double[] lastCell = null;
        for (int v = 0; v < n; v++) {
            if (!movable(f.flags[v])) {
                continue;
            }
            zeroHeld(grad, v, f.flags[v]);
            double w = grad[3 * v] * grad[3 * v] + grad[3 * v + 1] * grad[3 * v + 1] + grad[3 * v + 2] * grad[3 * v + 2];
            char a = f.lo[v], b = f.hi[v];
            if (structure[a]) {
                diag[a] += w;
            }
            if (structure[b]) {
                diag[b] += w;
            }
            if (structure[a] && structure[b]) {
                long k = (long) a << 32 | b;
                if (k != lastKey) {
                    lastKey = k;
                    lastCell = off.computeIfAbsent(k, kk -> new double[1]);
                }
                lastCell[0] += w;
            }
        }
        int m = off.size();
        int[] ra = new int[m], rb = new int[m];
        double[] rw = new double[m];
        int j = 0;
        for (Map.Entry<Long, double[]> e : off.entrySet()) {
            ra[j] = (int) (e.getKey() >>> 32);
            rb[j] = (int) (e.getKey() & 0xffffffffL);
            rw[j] = e.getValue()[0];
            j++;
        }
        double[] rhs = new double[nl];
        for (int d = 0; d < nl; d++) {
            rhs[d] = structure[d] && diag[d] > 0 ? target[d] - vol[d] : 0;
        }
        double[] t = conjugateGradient(diag, ra, rb, rw, rhs);
        for (int v = 0; v < n; v++) {
            if (!movable(f.flags[v])) {
                continue;
            }
            double s = t[f.lo[v]] - t[f.hi[v]];
            for (int a = 0; a < 3; a++) {
                x[3 * v + a] += (float) (s * grad[3 * v + a]);
            }
        }
    }

    /** The volume correction moves corners of two labels that are not held on all axes. */
    private static boolean movable(byte flags) {
        return (flags & JUNCTION) == 0 && (flags & HELD) != HELD;
    }

    private static void zeroHeld(double[] grad, int v, byte flags) {
        for (int a = 0; a < 3; a++) {
            if ((flags >> a & 1) != 0) {
                grad[3 * v + a] = 0;
            }
        }
    }

    /** Solves (D - W) t = r for the symmetric positive definite structure system; rows with D = 0 stay 0. */
    static double[] conjugateGradient(double[] diag, int[] ra, int[] rb, double[] rw, double[] rhs) {
        int nl = diag.length;
        double[] t = new double[nl];
        double[] r = rhs.clone();
        double[] p = r.clone();
        double[] ap = new double[nl];
        double rr = dot(r, r);
        double stop = 1e-24 * Math.max(rr, 1e-300);
        for (int it = 0; it < 4 * nl + 50 && rr > stop; it++) {
            for (int d = 0; d < nl; d++) {
                ap[d] = diag[d] * p[d];
            }
            for (int k = 0; k < ra.length; k++) {
                ap[ra[k]] -= rw[k] * p[rb[k]];
                ap[rb[k]] -= rw[k] * p[ra[k]];
            }
            double pap = dot(p, ap);
            if (!(pap > 0)) {
                break;
            }
            double alpha = rr / pap;
            for (int d = 0; d < nl; d++) {
                t[d] += alpha * p[d];
                r[d] -= alpha * ap[d];
            }
            double rr2 = dot(r, r);
            double beta = rr2 / rr;
            rr = rr2;
            for (int d = 0; d < nl; d++) {
                p[d] = r[d] + beta * p[d];
            }
        }
        return t;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
