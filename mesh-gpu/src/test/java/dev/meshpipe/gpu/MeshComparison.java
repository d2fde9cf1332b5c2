package dev.meshpipe.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshQuality;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The GPU and CPU paths must give the same mesh up to the order of vertices and triangles: the
 * same counts, the same vertex positions (bit for bit: both do the same double arithmetic and
 * round once), the same oriented triangles as a set, and the same closedness.
 */
final class MeshComparison {
    private MeshComparison() {}

    static void assertSameMesh(Mesh expected, Mesh actual, String what) {
        assertEquals(expected.vertexCount(), actual.vertexCount(), what + ": vertices");
        assertEquals(expected.triangleCount(), actual.triangleCount(), what + ": triangles");
        float[] ep = expected.positions();
        float[] ap = actual.positions();
        // One vertex per crossed edge, strictly inside its edge: positions are unique, so they name vertices.
        Map<Key, Integer> idOf = new HashMap<>();
        for (int v = 0; v < expected.vertexCount(); v++) {
            idOf.put(new Key(ep[3 * v], ep[3 * v + 1], ep[3 * v + 2]), v);
        }
        int[] map = new int[actual.vertexCount()];
        for (int v = 0; v < map.length; v++) {
            Integer id = idOf.get(new Key(ap[3 * v], ap[3 * v + 1], ap[3 * v + 2]));
            assertNotNull(id, what + ": vertex " + v + " at " + ap[3 * v] + ", " + ap[3 * v + 1] + ", " + ap[3 * v + 2]
                    + " is not a vertex of the CPU mesh");
            map[v] = id;
        }
        assertArrayEquals(canonical(expected.triangles(), null), canonical(actual.triangles(), map), what + ": triangles as sets");
        assertEquals(MeshQuality.of(expected).watertight(), MeshQuality.of(actual).watertight(), what + ": closed");
    }

    /** Each triangle rotated to start at its least id (keeping its winding), sorted. */
    private static Tri[] canonical(int[] t, int[] map) {
        Tri[] out = new Tri[t.length / 3];
        for (int i = 0; i < t.length; i += 3) {
            int a = id(t[i], map), b = id(t[i + 1], map), c = id(t[i + 2], map);
            out[i / 3] = b < a && b < c ? new Tri(b, c, a) : c < a && c < b ? new Tri(c, a, b) : new Tri(a, b, c);
        }
        Arrays.sort(out);
        return out;
    }

    private static int id(int v, int[] map) {
        return map == null ? v : map[v];
    }

    private record Tri(int a, int b, int c) implements Comparable<Tri> {
        @Override
        public int compareTo(Tri o) {
            int d = Integer.compare(a, o.a);
            if (d == 0) {
                d = Integer.compare(b, o.b);
            }
            return d != 0 ? d : Integer.compare(c, o.c);
        }
    }

    private record Key(float x, float y, float z) {}
}
