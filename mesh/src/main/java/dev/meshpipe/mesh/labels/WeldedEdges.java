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

    /**
     * Edges in other than two triangles once the mesh is welded by position. Each use of an edge
     * is filed under its lower welded id (a counting sort, linear, as MeshQuality counts by index),
     * so only each id's few higher neighbours are sorted: one sort of every edge as a 64-bit key
     * took most of this count's time.
     */
    static long notInTwoTriangles(Mesh m) {
        int[] id = weldedIds(m.positions());
        int ids = 0;
        for (int x : id) {
            ids = Math.max(ids, x + 1);
        }
        int[] t = m.triangles();
        int[] start = new int[ids + 1];
        for (int i = 0; i < t.length; i += 3) {
            for (int e = 0; e < 3; e++) {
                int a = id[t[i + e]], b = id[t[i + (e + 1) % 3]];
                if (a != b) { // an edge welded to a point is no edge
                    start[Math.min(a, b) + 1]++;
                }
            }
        }
        for (int v = 0; v < ids; v++) {
            start[v + 1] += start[v];
        }
        int[] higher = new int[start[ids]];
        int[] fill = Arrays.copyOf(start, ids);
        for (int i = 0; i < t.length; i += 3) {
            for (int e = 0; e < 3; e++) {
                int a = id[t[i + e]], b = id[t[i + (e + 1) % 3]];
                if (a != b) {
                    higher[fill[Math.min(a, b)]++] = Math.max(a, b);
                }
            }
        }
        long bad = 0;
        for (int v = 0; v < ids; v++) {
            int to = start[v + 1];
            sortSmall(higher, start[v], to);
            for (int i = start[v]; i < to; ) {
                int j = i;
                while (j < to && higher[j] == higher[i]) {
                    j++;
                }
                bad += j - i == 2 ? 0 : 1;
                i = j;
            }
        }
        return bad;
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
