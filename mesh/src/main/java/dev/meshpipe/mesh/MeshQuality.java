package dev.meshpipe.mesh;

import dev.meshpipe.mesh.finish.Components;
import java.util.Arrays;

/**
 * Geometry and topology figures of a mesh. Every field is documented in docs/quality.md.
 *
 * @param enclosedVolume mm^3; null unless the mesh is watertight
 */
public record MeshQuality(
        long vertices,
        long triangles,
        double surfaceArea,
        Double enclosedVolume,
        double[] boundingBoxMin,
        double[] boundingBoxMax,
        boolean watertight,
        long boundaryEdges,
        long nonManifoldEdges,
        long degenerateTriangles,
        long connectedComponents,
        long eulerCharacteristic) {

    public static MeshQuality of(Mesh mesh) {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        int nv = mesh.vertexCount();
        int nt = mesh.triangleCount();
        double[] min = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] max = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int i = 0; i < p.length; i += 3) {
            for (int a = 0; a < 3; a++) {
                min[a] = Math.min(min[a], p[i + a]);
                max[a] = Math.max(max[a], p[i + a]);
            }
        }
        if (nv == 0) {
            min = new double[3];
            max = new double[3];
        }
        double area = 0;
        long degenerate = 0;
        for (int i = 0; i < t.length; i += 3) {
            int a = 3 * t[i];
            int b = 3 * t[i + 1];
            int c = 3 * t[i + 2];
            double ax = p[a], ay = p[a + 1], az = p[a + 2];
            double ux = p[b] - ax, uy = p[b + 1] - ay, uz = p[b + 2] - az;
            double vx = p[c] - ax, vy = p[c + 1] - ay, vz = p[c + 2] - az;
            double nx = uy * vz - uz * vy;
            double ny = uz * vx - ux * vz;
            double nz = ux * vy - uy * vx;
            double twice = Math.sqrt(nx * nx + ny * ny + nz * nz);
            if (twice == 0 || t[i] == t[i + 1] || t[i + 1] == t[i + 2] || t[i] == t[i + 2]) {
                degenerate++;
            }
            area += twice / 2;
        }
        long[] edgeCounts = edgeCounts(nv, t);
        long unique = edgeCounts[0];
        long boundary = edgeCounts[1];
        long nonManifold = edgeCounts[2];
        long components = Components.label(mesh).count();
        boolean watertight = nt > 0 && boundary == 0 && nonManifold == 0;
        return new MeshQuality(nv, nt, area, watertight ? Math.abs(signedVolume(mesh)) : null, min, max, watertight,
                boundary, nonManifold, degenerate, components, usedVertices(nv, t) - unique + nt);
    }

    /**
     * Undirected edges {unique, used by one triangle, used by more than two}. Each use of an edge
     * is filed under its lower vertex (a counting sort by vertex, linear), and each vertex's few
     * higher neighbours are sorted in place, so runs give each edge's number of triangles. Sorting
     * all edges as one array of keys took most of a label structure's figures.
     */
    static long[] edgeCounts(int nv, int[] t) {
        return edgeCounts(nv, t, null);
    }

    /**
     * {@link #edgeCounts(int, int[])} with each vertex {@code v} counted as {@code ids[v]} (below
     * {@code nv}), as when vertices at one position are welded; an edge whose ends get one id is
     * then no edge and is skipped. Null ids: every vertex its own.
     */
    public static long[] edgeCounts(int nv, int[] t, int[] ids) {
        int[] start = new int[nv + 1];
        for (int i = 0; i < t.length; i += 3) {
            for (int e = 0; e < 3; e++) {
                int u = id(ids, t[i + e]);
                int v = id(ids, t[i + (e + 1) % 3]);
                if (ids == null || u != v) {
                    start[Math.min(u, v) + 1]++;
                }
            }
        }
        for (int v = 0; v < nv; v++) {
            start[v + 1] += start[v];
        }
        int[] fill = Arrays.copyOf(start, nv);
        int[] higher = new int[start[nv]];
        for (int i = 0; i < t.length; i += 3) {
            for (int e = 0; e < 3; e++) {
                int u = id(ids, t[i + e]);
                int v = id(ids, t[i + (e + 1) % 3]);
                if (ids == null || u != v) {
                    higher[fill[Math.min(u, v)]++] = Math.max(u, v);
                }
            }
        }
        long unique = 0;
        long boundary = 0;
        long nonManifold = 0;
        for (int v = 0; v < nv; v++) {
            int from = start[v];
            int to = start[v + 1];
            sortSmall(higher, from, to);
            for (int i = from; i < to; ) {
                int j = i;
                while (j < to && higher[j] == higher[i]) {
                    j++;
                }
                unique++;
                if (j - i == 1) {
                    boundary++;
                } else if (j - i > 2) {
                    nonManifold++;
                }
                i = j;
            }
        }
        return new long[] {unique, boundary, nonManifold};
    }

    private static int id(int[] ids, int v) {
        return ids == null ? v : ids[v];
    }

    /** A vertex has a handful of higher neighbours: insertion sort, unless it is a hub. */
    private static void sortSmall(int[] a, int from, int to) {
        if (to - from > 32) {
            Arrays.sort(a, from, to);
            return;
        }
        for (int i = from + 1; i < to; i++) {
            int x = a[i];
            int j = i - 1;
            while (j >= from && a[j] > x) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }

    /** The volume enclosed by a closed mesh, positive when its triangles face outward. */
    public static double signedVolume(Mesh m) {
        float[] p = m.positions();
        int[] t = m.triangles();
        double vol = 0;
        for (int i = 0; i < t.length; i += 3) {
            int a = 3 * t[i], b = 3 * t[i + 1], c = 3 * t[i + 2];
            vol += (p[a] * ((double) p[b + 1] * p[c + 2] - (double) p[b + 2] * p[c + 1])
                    - p[a + 1] * ((double) p[b] * p[c + 2] - (double) p[b + 2] * p[c])
                    + p[a + 2] * ((double) p[b] * p[c + 1] - (double) p[b + 1] * p[c])) / 6;
        }
        return vol;
    }

    /**
     * Vertices that some triangle uses. Only these belong to the surface: a vertex no triangle
     * references (left by a writer, or by welding) would add 1 to V - E + F for each.
     */
    private static long usedVertices(int nv, int[] t) {
        boolean[] used = new boolean[nv];
        long count = 0;
        for (int v : t) {
            if (!used[v]) {
                used[v] = true;
                count++;
            }
        }
        return count;
    }
}
