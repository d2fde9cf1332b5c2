package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshQuality;
import java.util.Arrays;

/**
 * Manifoldness as a slicer or viewer sees an STL: vertices at the same position are one vertex
 * (welded, {@code -0} taken as {@code 0}), and an edge must then be in exactly two triangles.
 * {@code MeshQuality} counts by vertex index, which a split corner's copies on one point pass.
 */
final class WeldedEdges {
    private WeldedEdges() {}

    /** Edges in other than two triangles once the mesh is welded by position (counted as MeshQuality counts by index). */
    static long notInTwoTriangles(Mesh m) {
        int[] id = weldedIds(m.positions());
        int ids = 0;
        for (int x : id) {
            ids = Math.max(ids, x + 1);
        }
        long[] counts = MeshQuality.edgeCounts(ids, m.triangles(), id);
        return counts[1] + counts[2]; // in one triangle, or in more than two
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
