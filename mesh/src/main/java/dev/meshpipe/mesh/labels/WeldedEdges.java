package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.Mesh;
import java.util.Arrays;

/**
 * Manifoldness as a slicer or viewer sees an STL: vertices at the same position are one vertex
 * (welded, {@code -0} taken as {@code 0}), and an edge must then be in exactly two triangles.
 * {@code MeshQuality} counts by vertex index, which a split corner's copies on one point pass.
 */
final class WeldedEdges {
    private WeldedEdges() {}

    /** Edges in other than two triangles once the mesh is welded by position. */
    static long notInTwoTriangles(Mesh m) {
        int[] id = weldedIds(m.positions());
        int[] t = m.triangles();
        long[] edges = new long[t.length];
        int n = 0;
        for (int i = 0; i < t.length; i += 3) {
            for (int e = 0; e < 3; e++) {
                int a = id[t[i + e]], b = id[t[i + (e + 1) % 3]];
                if (a != b) {
                    edges[n++] = (long) Math.min(a, b) << 32 | Math.max(a, b);
                }
            }
        }
        Arrays.sort(edges, 0, n);
        long bad = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && edges[j] == edges[i]) {
                j++;
            }
            bad += j - i == 2 ? 0 : 1;
            i = j;
        }
        return bad;
    }

    /** One id per distinct position (open addressing on the three coordinates' bits). */
    static int[] weldedIds(float[] p) {
        int nv = p.length / 3;
        int cap = Integer.highestOneBit(Math.max(4, nv * 2)) << 1;
        int[] slot = new int[cap];
        Arrays.fill(slot, -1);
        int[] id = new int[nv];
        int ids = 0;
        for (int v = 0; v < nv; v++) {
            int x = bits(p[3 * v]), y = bits(p[3 * v + 1]), z = bits(p[3 * v + 2]);
            int h = ((x * 31 + y) * 31 + z) * 0x9E3779B9;
            int s = (h ^ h >>> 16) & (cap - 1);
            while (true) {
                int u = slot[s];
                if (u < 0) {
                    slot[s] = v;
                    id[v] = ids++;
                    break;
                }
                if (bits(p[3 * u]) == x && bits(p[3 * u + 1]) == y && bits(p[3 * u + 2]) == z) {
                    id[v] = id[u];
                    break;
                }
                s = (s + 1) & (cap - 1);
            }
        }
        return id;
    }

    private static int bits(float f) {
        return Float.floatToIntBits(f + 0.0f);
    }
}
