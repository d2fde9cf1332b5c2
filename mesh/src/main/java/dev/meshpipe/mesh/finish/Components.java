package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;

/**
 * Connected components (triangles joined through shared vertices) and the cleanups built on them:
 * keep the largest, drop small ones, fill internal cavities. Sizes are enclosed volumes, signed by
 * the divergence theorem: marching cubes winds every surface outward from the object, so a
 * component with negative volume is the inner wall of a void inside the object.
 */
public final class Components {
    private Components() {}

    /** Each vertex's component (0..count-1, numbered by first vertex), -1 for vertices in no triangle. */
    public record Labels(int[] vertexLabel, int count) {
        int ofTriangle(int[] t, int i) {
            return vertexLabel[t[i]];
        }
    }

    /** What a cleanup removed. */
    public record Removed(int components, long triangles) {
        static final Removed NONE = new Removed(0, 0);

        Removed plus(Removed o) {
            return new Removed(components + o.components, triangles + o.triangles);
        }
    }

    public record Cleaned(Mesh mesh, Removed removed) {}

    public static Labels label(Mesh mesh) {
        int nv = mesh.vertexCount();
        int[] t = mesh.triangles();
        int[] parent = new int[nv];
        for (int i = 0; i < nv; i++) {
            parent[i] = i;
        }
        boolean[] used = new boolean[nv];
        for (int i = 0; i < t.length; i += 3) {
            used[t[i]] = used[t[i + 1]] = used[t[i + 2]] = true;
            union(parent, t[i], t[i + 1]);
            union(parent, t[i], t[i + 2]);
        }
        int[] label = new int[nv];
        int count = 0;
        for (int v = 0; v < nv; v++) {
            if (!used[v]) {
                label[v] = -1;
            } else {
                int r = find(parent, v);
                // roots are the smallest vertex of their set, so a root is seen before its members
                label[v] = r == v ? count++ : label[r];
            }
        }
        return new Labels(label, count);
    }

    /** Signed enclosed volume per component (mm^3 when positions are mm). */
    public static double[] signedVolumes(Mesh mesh, Labels labels) {
        double[] vol = new double[labels.count()];
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        for (int i = 0; i < t.length; i += 3) {
            vol[labels.ofTriangle(t, i)] += SurfaceMetrics.signedTetra(p, t[i], t[i + 1], t[i + 2]);
        }
        return vol;
    }

    /** Keeps only the component enclosing the greatest volume (absolute). */
    public static Cleaned keepLargest(Mesh mesh) {
        Labels labels = label(mesh);
        if (labels.count() <= 1) {
            return new Cleaned(mesh, Removed.NONE);
        }
        double[] vol = signedVolumes(mesh, labels);
        int best = 0;
        for (int c = 1; c < vol.length; c++) {
            if (Math.abs(vol[c]) > Math.abs(vol[best])) {
                best = c;
            }
        }
        boolean[] keep = new boolean[labels.count()];
        keep[best] = true;
        return keep(mesh, labels, keep);
    }

    /**
     * Drops components enclosing less than {@code minVolumeMm3} (absolute). A cavity's wall counts
     * by its void, so small bubbles go too.
     */
    public static Cleaned dropSmallerThan(Mesh mesh, double minVolumeMm3) {
        if (!(minVolumeMm3 >= 0) || Double.isInfinite(minVolumeMm3)) {
            throw new MeshException(MeshError.INVALID_PARAMETER, "minComponentVolume must be a finite number of mm^3, 0 or more");
        }
        Labels labels = label(mesh);
        double[] vol = signedVolumes(mesh, labels);
        boolean[] keep = new boolean[labels.count()];
        for (int c = 0; c < keep.length; c++) {
            keep[c] = Math.abs(vol[c]) >= minVolumeMm3;
        }
        return keep(mesh, labels, keep);
    }

    /**
     * Fills internal cavities: removes every closed component with negative signed volume (the
     * inward-facing wall of a bubble), and any outward-facing component inside a removed cavity (an
     * island in the bubble would otherwise float inside solid material).
     */
    public static Cleaned fillCavities(Mesh mesh, int threads) {
        Labels labels = label(mesh);
        if (labels.count() <= 1) {
            return new Cleaned(mesh, Removed.NONE);
        }
        double[] vol = signedVolumes(mesh, labels);
        boolean[] closed = closedComponents(mesh, labels, threads);
        boolean[] keep = new boolean[labels.count()];
        boolean anyCavity = false;
        for (int c = 0; c < keep.length; c++) {
            boolean cavity = closed[c] && vol[c] < 0;
            keep[c] = !cavity;
            anyCavity |= cavity;
        }
        if (!anyCavity) {
            return new Cleaned(mesh, Removed.NONE);
        }
        dropIslandsInCavities(mesh, labels, vol, keep);
        return keep(mesh, labels, keep);
    }

    static boolean[] closedComponents(Mesh mesh, Labels labels, int threads) {
        Adjacency adj = Adjacency.of(mesh, threads);
        boolean[] closed = new boolean[labels.count()];
        java.util.Arrays.fill(closed, true);
        for (int v = 0; v < adj.flags.length; v++) {
            if (labels.vertexLabel()[v] >= 0 && (adj.flags[v] & (Adjacency.BOUNDARY | Adjacency.NON_MANIFOLD)) != 0) {
                closed[labels.vertexLabel()[v]] = false;
            }
        }
        return closed;
    }

    private static void dropIslandsInCavities(Mesh mesh, Labels labels, double[] vol, boolean[] keep) {
        int n = labels.count();
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        int[] probe = new int[n]; // one vertex per component
        java.util.Arrays.fill(probe, -1);
        for (int v = 0; v < labels.vertexLabel().length; v++) {
            int c = labels.vertexLabel()[v];
            if (c >= 0 && probe[c] < 0) {
                probe[c] = v;
            }
        }
        double[] box = boxes(mesh, labels);
        for (int island = 0; island < n; island++) {
            if (!keep[island] || vol[island] <= 0) {
                continue;
            }
            int v = probe[island];
            double px = p[3 * v], py = p[3 * v + 1], pz = p[3 * v + 2];
            boolean[] candidate = new boolean[n];
            boolean any = false;
            for (int c = 0; c < n; c++) {
                candidate[c] = !keep[c] && vol[c] < 0 && inside(box, c, px, py, pz);
                any |= candidate[c];
            }
            if (!any) {
                continue;
            }
            // Crossings of a ray along +x with each removed cavity: odd means inside it.
            int[] crossings = new int[n];
            for (int i = 0; i < t.length; i += 3) {
                int c = labels.ofTriangle(t, i);
                if (!candidate[c]) {
                    continue;
                }
                if (rayCrossesX(p, t[i], t[i + 1], t[i + 2], px, py, pz)) {
                    crossings[c]++;
                }
            }
            for (int c = 0; c < n; c++) {
                if ((crossings[c] & 1) == 1) {
                    keep[island] = false;
                }
            }
        }
    }

    /** Per component: min x, y, z, max x, y, z. */
    private static double[] boxes(Mesh mesh, Labels labels) {
        double[] box = new double[6 * labels.count()];
        for (int c = 0; c < labels.count(); c++) {
            for (int a = 0; a < 3; a++) {
                box[6 * c + a] = Double.POSITIVE_INFINITY;
                box[6 * c + 3 + a] = Double.NEGATIVE_INFINITY;
            }
        }
        float[] p = mesh.positions();
        for (int v = 0; v < labels.vertexLabel().length; v++) {
            int c = labels.vertexLabel()[v];
            if (c < 0) {
                continue;
            }
            for (int a = 0; a < 3; a++) {
                box[6 * c + a] = Math.min(box[6 * c + a], p[3 * v + a]);
                box[6 * c + 3 + a] = Math.max(box[6 * c + 3 + a], p[3 * v + a]);
            }
        }
        return box;
    }

    private static boolean inside(double[] box, int c, double x, double y, double z) {
        int b = 6 * c;
        return x >= box[b] && y >= box[b + 1] && z >= box[b + 2] && x <= box[b + 3] && y <= box[b + 4] && z <= box[b + 5];
    }

    /**
     * Whether the ray from (px,py,pz) along +x crosses triangle abc, by the side of the ray each
     * edge passes in the yz-plane (a half-open rule so a ray through a shared edge counts once).
     */
    static boolean rayCrossesX(float[] p, int a, int b, int c, double px, double py, double pz) {
        double ay = p[3 * a + 1] - py, az = p[3 * a + 2] - pz;
        double by = p[3 * b + 1] - py, bz = p[3 * b + 2] - pz;
        double cy = p[3 * c + 1] - py, cz = p[3 * c + 2] - pz;
        double e0 = by * cz - bz * cy;
        double e1 = cy * az - cz * ay;
        double e2 = ay * bz - az * by;
        boolean pos = e0 > 0 || (e0 == 0 && tieBreak(by, bz, cy, cz));
        boolean pos1 = e1 > 0 || (e1 == 0 && tieBreak(cy, cz, ay, az));
        boolean pos2 = e2 > 0 || (e2 == 0 && tieBreak(ay, az, by, bz));
        if (pos != pos1 || pos != pos2) {
            return false;
        }
        double det = e0 + e1 + e2;
        if (det == 0) {
            return false;
        }
        // x of the crossing, as barycentric weights of the triangle's x values
        double x = (e0 * p[3 * a] + e1 * p[3 * b] + e2 * p[3 * c]) / det;
        return x > px;
    }

    private static boolean tieBreak(double uy, double uz, double vy, double vz) {
        double dy = vy - uy, dz = vz - uz;
        return dy > 0 || (dy == 0 && dz > 0);
    }

    /** The mesh with only the kept components' triangles and the vertices they use. */
    static Cleaned keep(Mesh mesh, Labels labels, boolean[] keep) {
        int[] t = mesh.triangles();
        float[] p = mesh.positions();
        int removedComponents = 0;
        for (boolean k : keep) {
            removedComponents += k ? 0 : 1;
        }
        if (removedComponents == 0) {
            return new Cleaned(mesh, Removed.NONE);
        }
        int nv = mesh.vertexCount();
        int[] remap = new int[nv];
        int kept = 0;
        for (int v = 0; v < nv; v++) {
            int c = labels.vertexLabel()[v];
            remap[v] = c >= 0 && keep[c] ? kept++ : -1;
        }
        float[] np = new float[3 * kept];
        for (int v = 0; v < nv; v++) {
            if (remap[v] >= 0) {
                System.arraycopy(p, 3 * v, np, 3 * remap[v], 3);
            }
        }
        int keptTriangles = 0;
        for (int i = 0; i < t.length; i += 3) {
            keptTriangles += keep[labels.ofTriangle(t, i)] ? 1 : 0;
        }
        int[] nt = new int[3 * keptTriangles];
        int o = 0;
        for (int i = 0; i < t.length; i += 3) {
            if (keep[labels.ofTriangle(t, i)]) {
                nt[o++] = remap[t[i]];
                nt[o++] = remap[t[i + 1]];
                nt[o++] = remap[t[i + 2]];
            }
        }
        return new Cleaned(new Mesh(np, nt), new Removed(removedComponents, t.length / 3 - keptTriangles));
    }

    private static int find(int[] parent, int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    private static void union(int[] parent, int a, int b) {
        int ra = find(parent, a);
        int rb = find(parent, b);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }
}
