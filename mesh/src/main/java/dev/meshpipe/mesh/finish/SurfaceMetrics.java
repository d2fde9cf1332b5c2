package dev.meshpipe.mesh.finish;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.Volume;
import java.util.Arrays;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a printer or a simulation needs to know of a surface: size, enclosed volume, whether it is
 * closed, manifold and consistently oriented, how many of its triangles cut through each other, and
 * how far it lies from another surface. Every figure is documented in docs/quality.md.
 */
public final class SurfaceMetrics {
    private SurfaceMetrics() {}

    /**
     * @param enclosedVolume       signed, by the divergence theorem (mm^3); meaningful when watertight
     * @param watertight           no boundary edge
     * @param manifold             every edge in exactly two triangles and every vertex's triangles one disk
     * @param oriented             every edge used once in each direction by its two triangles
     * @param selfIntersections    pairs of triangles sharing no vertex that cut through each other
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(long triangles, long vertices, double enclosedVolume, double surfaceArea,
                         boolean watertight, boolean manifold, boolean oriented, long boundaryEdges,
                         long nonManifoldEdges, long nonManifoldVertices, long misorientedEdges,
                         long components, Long selfIntersections) {}

    /** Distances in mm between two surfaces, the larger of the two directions for each figure. */
    public record Hausdorff(double max, double p95, double mean, long samples) {
        public static final Hausdorff ZERO = new Hausdorff(0, 0, 0, 0);
    }

    /** All figures; {@code selfIntersections} is the costliest, so callers may skip it. */
    public static Report of(Mesh mesh, boolean selfIntersections, int threads) {
        Adjacency adj = Adjacency.of(mesh, threads);
        long nonManifoldVertices = nonManifoldVertices(mesh, adj, threads);
        long nt = mesh.triangleCount();
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        double vol = 0;
        double area = 0;
        for (int i = 0; i < t.length; i += 3) {
            vol += signedTetra(p, t[i], t[i + 1], t[i + 2]);
            area += triangleArea(p, t[i], t[i + 1], t[i + 2]);
        }
        boolean watertight = nt > 0 && adj.boundaryEdges == 0;
        return new Report(nt, mesh.vertexCount(), vol, area, watertight,
                nt > 0 && adj.nonManifoldEdges == 0 && nonManifoldVertices == 0,
                nt > 0 && adj.misorientedEdges == 0 && adj.nonManifoldEdges == 0,
                adj.boundaryEdges, adj.nonManifoldEdges, nonManifoldVertices, adj.misorientedEdges,
                Components.label(mesh).count(), selfIntersections ? selfIntersections(mesh, threads) : null);
    }

    /**
     * The volume the voxels themselves give: the count of samples on the object's side of the
     * isovalue times the voxel volume. Marching cubes and this count agree to within about the
     * surface area times a fraction of a voxel, so the figure is a check on the mesh, not an
     * exact reference.
     */
    public static double voxelVolume(Volume volume, double iso) {
        long inside = 0;
        for (float v : volume.data()) {
            if (volume.objectAbove() ? v >= iso : v <= iso) {
                inside++;
            }
        }
        double[] s = volume.spacing();
        return inside * s[0] * s[1] * s[2] * Math.abs(linearDeterminant(volume.gridToWorld()));
    }

    /** The volume scale of a grid-to-world affine (1 for a rotation plus origin, as scans have). */
    private static double linearDeterminant(double[] m) {
        return m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]);
    }

    /**
     * Symmetric Hausdorff distance between surfaces a and b, sampled at vertices: the distance from
     * every vertex of a to the nearest point of b's triangles, and from every vertex of b to a's.
     * Vertex sampling misses the rare case where a's farthest point from b lies inside one of a's
     * triangles; on marching-cubes surfaces, whose triangles are under a voxel wide, that error is
     * a small fraction of a voxel. When a and b share their triangles array (a surface and the same
     * surface smoothed in place), each vertex's search starts from one of its own triangles on the
     * other surface, so its first bound is at most its displacement: the same minimum, found sooner.
     */
    public static Hausdorff hausdorff(Mesh a, Mesh b, int threads) {
        if (a == b) {
            return new Hausdorff(0, 0, 0, 2L * a.vertexCount());
        }
        if (a.triangleCount() == 0 || b.triangleCount() == 0) {
            return new Hausdorff(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        float[] ab;
        float[] ba;
        if (threads <= 1) {
            ab = oneSided(a, b, 1);
            ba = oneSided(b, a, 1);
        } else {
            // The two directions at once: the one with fewer vertices to place (the finished
            // surface's, on the print preset) whole on one pool thread, grid and all, while the
            // other's chunks go to whichever threads are free. Its grid over the larger surface is
            // a serial pass that would otherwise leave a core idle.
            boolean aLarger = a.vertexCount() >= b.vertexCount();
            Future<float[]> smaller = Parallel.submit(threads, aLarger ? () -> oneSided(b, a, 1) : () -> oneSided(a, b, 1));
            float[] larger = aLarger ? oneSided(a, b, threads) : oneSided(b, a, threads);
            float[] other = Parallel.result(smaller);
            ab = aLarger ? larger : other;
            ba = aLarger ? other : larger;
        }
        Side x = Side.of(ab);
        Side y = Side.of(ba);
        return new Hausdorff(Math.max(x.max, y.max), Math.max(x.p95, y.p95), Math.max(x.mean, y.mean), ab.length + ba.length);
    }

    private record Side(double max, double p95, double mean) {
        static Side of(float[] d) {
            if (d.length == 0) {
                return new Side(0, 0, 0);
            }
            double sum = 0;
            float max = d[0];
            for (float x : d) {
                sum += x;
                max = Math.max(max, x);
            }
            // The p95 is one order statistic: selecting it is linear, where sorting every distance is not.
            int i95 = (int) Math.min(d.length - 1, Math.ceil(0.95 * d.length) - 1);
            return new Side(max, select(d, Math.max(0, i95)), sum / d.length);
        }
    }

    /**
     * The k-th smallest of d (0 based), as {@code Arrays.sort(d); d[k]} gives it, reordering d:
     * quickselect with the median of three as pivot, and a sort for short ranges.
     */
    static float select(float[] d, int k) {
        int lo = 0, hi = d.length - 1;
        while (hi - lo > 32) {
            int mid = (lo + hi) >>> 1;
            float a = d[lo], b = d[mid], c = d[hi];
            float pivot = a < b ? (b < c ? b : Math.max(a, c)) : (a < c ? a : Math.max(b, c));
            // Hoare's partition: [lo, j] <= pivot <= [i, hi]
            int i = lo, j = hi;
            while (i <= j) {
                while (d[i] < pivot) {
                    i++;
                }
                while (d[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float x = d[i];
                    d[i++] = d[j];
                    d[j--] = x;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return d[k]; // between the two parts: equal to the pivot
            }
        }
        Arrays.sort(d, lo, hi + 1);
        return d[k];
    }

    /** Distance from each vertex of from that some triangle uses, to the surface of to. */
    private static float[] oneSided(Mesh from, Mesh to, int threads) {
        // Many more queries than triangles (the raw surface's vertices against the decimated
        // surface): cells one edge wide, so each query checks about half the triangles' boxes it
        // would in the usual two (a fifth less time on ch2's print preset). Otherwise building
        // the grid is the larger cost, and the usual cells are the cheaper to build.
        TriangleGrid grid = TriangleGrid.of(to, from.vertexCount() > to.triangleCount() ? 1 : 2);
        boolean[] used = new boolean[from.vertexCount()];
        int n = 0;
        for (int v : from.triangles()) {
            if (!used[v]) {
                used[v] = true;
                n++;
            }
        }
        int[] vertices = new int[n];
        int k = 0;
        for (int v = 0; v < used.length; v++) {
            if (used[v]) {
                vertices[k++] = v;
            }
        }
        float[] p = from.positions();
        float[] d = new float[n];
        int[] seed = from.triangles() == to.triangles() ? firstTriangles(from) : null;
        Parallel.forRange(n, threads, (lo, hi) -> {
            TriangleGrid.Nearest nearest = new TriangleGrid.Nearest();
            for (int i = lo; i < hi; i++) {
                int v = vertices[i];
                if (seed != null) {
                    // Shared triangles (a surface smoothed in place): v is also a corner of one of
                    // to's triangles, so that triangle bounds the search by v's own displacement.
                    nearest.triangle = seed[v];
                }
                int q = 3 * v;
                d[i] = (float) Math.sqrt(grid.nearestSquared(p[q], p[q + 1], p[q + 2], nearest));
            }
        });
        return d;
    }

    /** For each vertex, a triangle with it as a corner (-1 for none). */
    private static int[] firstTriangles(Mesh m) {
        int[] first = new int[m.vertexCount()];
        Arrays.fill(first, -1);
        int[] t = m.triangles();
        for (int i = t.length - 1; i >= 0; i--) {
            first[t[i]] = i / 3;
        }
        return first;
    }

    /** Vertices whose triangles do not form a single fan (a disk, or a half-disk on a boundary). */
    static long nonManifoldVertices(Mesh mesh, Adjacency adj, int threads) {
        int nv = mesh.vertexCount();
        int[] t = mesh.triangles();
        int[] start = new int[nv + 1];
        for (int x : t) {
            start[x + 1]++;
        }
        for (int v = 0; v < nv; v++) {
            start[v + 1] += start[v];
        }
        int[] around = new int[t.length];
        int[] cursor = Arrays.copyOf(start, nv);
        for (int i = 0; i < t.length; i++) {
            around[cursor[t[i]]++] = i; // the corner: triangle i/3, this vertex at i%3
        }
        AtomicLong count = new AtomicLong();
        Parallel.forRange(nv, threads, (from, to) -> {
            int[] link = new int[64];
            int[] parent = new int[64];
            long local = 0;
            for (int v = from; v < to; v++) {
                int k = start[v + 1] - start[v];
                if (k == 0) {
                    continue;
                }
                if (2 * k > link.length) {
                    link = new int[4 * k];
                    parent = new int[4 * k];
                }
                // The link: for each triangle (v, a, b) the edge a-b; one fan means one connected link.
                for (int j = 0; j < k; j++) {
                    int corner = around[start[v] + j];
                    int base = corner - corner % 3;
                    link[2 * j] = t[base + (corner + 1) % 3];
                    link[2 * j + 1] = t[base + (corner + 2) % 3];
                    parent[2 * j] = 2 * j;
                    parent[2 * j + 1] = 2 * j;
                }
                for (int i = 0; i < 2 * k; i++) {
                    for (int j = i + 1; j < 2 * k; j++) {
                        if (link[i] == link[j]) {
                            unite(parent, i, j);
                        }
                    }
                }
                int roots = 0;
                for (int i = 0; i < 2 * k; i++) {
                    if (root(parent, i) == i) {
                        roots++;
                    }
                }
                if (roots != 1) {
                    local++;
                }
            }
            count.addAndGet(local);
        });
        return count.get();
    }

    private static int root(int[] parent, int x) {
        while (parent[x] != x) {
            x = parent[x] = parent[parent[x]];
        }
        return x;
    }

    private static void unite(int[] parent, int a, int b) {
        int ra = root(parent, a), rb = root(parent, b);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }

    /**
     * Pairs of triangles that share no vertex and cut through each other (touching counts as not
     * cutting). Candidate pairs come from a uniform grid; each pair is tested once, in the cell
     * holding the low corner of the overlap of their bounding boxes. The cheap rejections go
     * first, in order of what they throw out on a surface: bounding boxes (kept in one array, not
     * worked out again per pair), then a shared vertex (most overlapping pairs are neighbours),
     * then the owning cell; only what is left gets the exact test.
     */
    public static long selfIntersections(Mesh mesh, int threads) {
        int nt = mesh.triangleCount();
        if (nt < 2) {
            return 0;
        }
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        float[] boxes = new float[6 * nt];
        Parallel.forRange(nt, threads, (from, to) -> {
            for (int k = from; k < to; k++) {
                int a = 3 * t[3 * k], b = 3 * t[3 * k + 1], c = 3 * t[3 * k + 2];
                for (int d = 0; d < 3; d++) {
                    boxes[6 * k + d] = Math.min(p[a + d], Math.min(p[b + d], p[c + d]));
                    boxes[6 * k + 3 + d] = Math.max(p[a + d], Math.max(p[b + d], p[c + d]));
                }
            }
        });
        TriangleGrid g = TriangleGrid.of(mesh);
        int cells = g.nx * g.ny * g.nz;
        AtomicLong count = new AtomicLong();
        Parallel.forRange(cells, threads, (from, to) -> {
            long local = 0;
            // One cell's boxes and vertices, copied together and sorted by the low x of the box:
            // the pair loop then reads only these, and stops at the first box starting past the
            // current one's end.
            float[] cb = new float[6 * 64];
            int[] cv = new int[4 * 64];
            for (int c = from; c < to; c++) {
                int first = g.start[c];
                int k = g.start[c + 1] - first;
                if (k < 2) {
                    continue;
                }
                if (k > cv.length / 4) {
                    cb = new float[6 * 2 * k];
                    cv = new int[4 * 2 * k];
                }
                for (int a = 0; a < k; a++) {
                    int ti = g.items[first + a];
                    float minX = boxes[6 * ti];
                    int at = a;
                    for (; at > 0 && cb[6 * (at - 1)] > minX; at--) {
                        System.arraycopy(cb, 6 * (at - 1), cb, 6 * at, 6);
                        System.arraycopy(cv, 4 * (at - 1), cv, 4 * at, 4);
                    }
                    System.arraycopy(boxes, 6 * ti, cb, 6 * at, 6);
                    System.arraycopy(t, 3 * ti, cv, 4 * at, 3);
                    cv[4 * at + 3] = ti;
                }
                int cx = c % g.nx, cy = (c / g.nx) % g.ny, cz = c / (g.nx * g.ny);
                for (int a = 0; a < k; a++) {
                    int i0 = cv[4 * a], i1 = cv[4 * a + 1], i2 = cv[4 * a + 2];
                    int bi = 6 * a;
                    float x0 = cb[bi], y0 = cb[bi + 1], z0 = cb[bi + 2];
                    float x1 = cb[bi + 3], y1 = cb[bi + 4], z1 = cb[bi + 5];
                    for (int b = a + 1; b < k && cb[6 * b] <= x1; b++) {
                        int bj = 6 * b;
                        if (!(x0 <= cb[bj + 3] && cb[bj + 1] <= y1 && y0 <= cb[bj + 4]
                                && cb[bj + 2] <= z1 && z0 <= cb[bj + 5])) {
                            continue;
                        }
                        int j0 = cv[4 * b], j1 = cv[4 * b + 1], j2 = cv[4 * b + 2];
                        if (i0 == j0 || i0 == j1 || i0 == j2 || i1 == j0 || i1 == j1 || i1 == j2
                                || i2 == j0 || i2 == j1 || i2 == j2) {
                            continue;
                        }
                        if (g.cellOf(Math.max(x0, cb[bj]), g.ox, g.nx) != cx
                                || g.cellOf(Math.max(y0, cb[bj + 1]), g.oy, g.ny) != cy
                                || g.cellOf(Math.max(z0, cb[bj + 2]), g.oz, g.nz) != cz) {
                            continue; // another cell owns this pair
                        }
                        if (trianglesCross(p, t, 3 * cv[4 * a + 3], 3 * cv[4 * b + 3])) {
                            local++;
                        }
                    }
                }
            }
            count.addAndGet(local);
        });
        return count.get();
    }

    /**
     * Two triangles cut through each other when an edge of one crosses the other's interior
     * (for triangles not in one plane, the ends of their intersection segment lie on such edges).
     * Coplanar overlaps, which marching cubes does not produce between separate sheets, count as
     * not crossing.
     */
    static boolean trianglesCross(float[] p, int[] t, int i, int j) {
        int i0 = t[i], i1 = t[i + 1], i2 = t[i + 2];
        int j0 = t[j], j1 = t[j + 1], j2 = t[j + 2];
        // Each vertex's side of the other triangle's plane, worked out once (the same values
        // segmentCrosses would compute twice each): with no sign change along any edge, no edge
        // can cross, and most pairs stop here.
        double a0 = orient(p, j0, j1, j2, i0), a1 = orient(p, j0, j1, j2, i1), a2 = orient(p, j0, j1, j2, i2);
        double b0 = orient(p, i0, i1, i2, j0), b1 = orient(p, i0, i1, i2, j1), b2 = orient(p, i0, i1, i2, j2);
        return opposite(a0, a1) && edgeThrough(p, i0, i1, j0, j1, j2)
                || opposite(a1, a2) && edgeThrough(p, i1, i2, j0, j1, j2)
                || opposite(a2, a0) && edgeThrough(p, i2, i0, j0, j1, j2)
                || opposite(b0, b1) && edgeThrough(p, j0, j1, i0, i1, i2)
                || opposite(b1, b2) && edgeThrough(p, j1, j2, i0, i1, i2)
                || opposite(b2, b0) && edgeThrough(p, j2, j0, i0, i1, i2);
    }

    private static boolean opposite(double sq, double sr) {
        return sq > 0 && sr < 0 || sq < 0 && sr > 0;
    }

    /** Whether the line through q and r passes strictly inside triangle abc (its ends on opposite sides of abc's plane being known). */
    private static boolean edgeThrough(float[] p, int q, int r, int a, int b, int c) {
        double s1 = orient(p, q, r, a, b);
        double s2 = orient(p, q, r, b, c);
        double s3 = orient(p, q, r, c, a);
        return s1 > 0 && s2 > 0 && s3 > 0 || s1 < 0 && s2 < 0 && s3 < 0;
    }

    /** Whether segment qr passes strictly through the interior of triangle abc. */
    static boolean segmentCrosses(float[] p, int q, int r, int a, int b, int c) {
        return opposite(orient(p, a, b, c, q), orient(p, a, b, c, r)) && edgeThrough(p, q, r, a, b, c);
    }

    /** Six times the signed volume of tetrahedron abcd. */
    private static double orient(float[] p, int a, int b, int c, int d) {
        double ax = p[3 * a] - p[3 * d], ay = p[3 * a + 1] - p[3 * d + 1], az = p[3 * a + 2] - p[3 * d + 2];
        double bx = p[3 * b] - p[3 * d], by = p[3 * b + 1] - p[3 * d + 1], bz = p[3 * b + 2] - p[3 * d + 2];
        double cx = p[3 * c] - p[3 * d], cy = p[3 * c + 1] - p[3 * d + 1], cz = p[3 * c + 2] - p[3 * d + 2];
        return ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
    }

    /** Signed volume of the tetrahedron (origin, a, b, c): the divergence-theorem term of one triangle. */
    static double signedTetra(float[] p, int a, int b, int c) {
        int i = 3 * a, j = 3 * b, k = 3 * c;
        return (p[i] * ((double) p[j + 1] * p[k + 2] - (double) p[j + 2] * p[k + 1])
                - p[i + 1] * ((double) p[j] * p[k + 2] - (double) p[j + 2] * p[k])
                + p[i + 2] * ((double) p[j] * p[k + 1] - (double) p[j + 1] * p[k])) / 6;
    }

    static double triangleArea(float[] p, int a, int b, int c) {
        int i = 3 * a, j = 3 * b, k = 3 * c;
        double ux = p[j] - p[i], uy = p[j + 1] - p[i + 1], uz = p[j + 2] - p[i + 2];
        double vx = p[k] - p[i], vy = p[k + 1] - p[i + 1], vz = p[k + 2] - p[i + 2];
        double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
        return Math.sqrt(nx * nx + ny * ny + nz * nz) / 2;
    }

    /** Squared distance from q to triangle abc (Ericson, Real-Time Collision Detection, 5.1.5). */
    static double pointTriangleSquared(float[] p, int ia, int ib, int ic, double qx, double qy, double qz) {
        double ax = p[3 * ia], ay = p[3 * ia + 1], az = p[3 * ia + 2];
        double bx = p[3 * ib], by = p[3 * ib + 1], bz = p[3 * ib + 2];
        double cx = p[3 * ic], cy = p[3 * ic + 1], cz = p[3 * ic + 2];
        double abx = bx - ax, aby = by - ay, abz = bz - az;
        double acx = cx - ax, acy = cy - ay, acz = cz - az;
        double apx = qx - ax, apy = qy - ay, apz = qz - az;
        double d1 = abx * apx + aby * apy + abz * apz;
        double d2 = acx * apx + acy * apy + acz * apz;
        if (d1 <= 0 && d2 <= 0) {
            return sq(apx, apy, apz);
        }
        double bpx = qx - bx, bpy = qy - by, bpz = qz - bz;
        double d3 = abx * bpx + aby * bpy + abz * bpz;
        double d4 = acx * bpx + acy * bpy + acz * bpz;
        if (d3 >= 0 && d4 <= d3) {
            return sq(bpx, bpy, bpz);
        }
        double vc = d1 * d4 - d3 * d2;
        if (vc <= 0 && d1 >= 0 && d3 <= 0) {
            double v = d1 / (d1 - d3);
            return sq(apx - v * abx, apy - v * aby, apz - v * abz);
        }
        double cpx = qx - cx, cpy = qy - cy, cpz = qz - cz;
        double d5 = abx * cpx + aby * cpy + abz * cpz;
        double d6 = acx * cpx + acy * cpy + acz * cpz;
        if (d6 >= 0 && d5 <= d6) {
            return sq(cpx, cpy, cpz);
        }
        double vb = d5 * d2 - d1 * d6;
        if (vb <= 0 && d2 >= 0 && d6 <= 0) {
            double w = d2 / (d2 - d6);
            return sq(apx - w * acx, apy - w * acy, apz - w * acz);
        }
        double va = d3 * d6 - d5 * d4;
        if (va <= 0 && (d4 - d3) >= 0 && (d5 - d6) >= 0) {
            double w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
            double ex = bx + w * (cx - bx) - qx, ey = by + w * (cy - by) - qy, ez = bz + w * (cz - bz) - qz;
            return sq(ex, ey, ez);
        }
        double denom = 1 / (va + vb + vc);
        double v = vb * denom;
        double w = vc * denom;
        return sq(apx - abx * v - acx * w, apy - aby * v - acy * w, apz - abz * v - acz * w);
    }

    private static double sq(double x, double y, double z) {
        return x * x + y * y + z * z;
    }
}
