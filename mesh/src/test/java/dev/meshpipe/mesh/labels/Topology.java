package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.Mesh;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Closedness and manifoldness counts of a mesh, written independently of the mesher; edges are counted per direction. */
record Topology(int badEdges, int unpairedEdges, int badVertices, int unusedVertices) {

    boolean closedManifold() {
        return badEdges == 0 && badVertices == 0;
    }

    /** Every directed edge matched by as many in the opposite direction: closed and consistently oriented. */
    boolean closed() {
        return unpairedEdges == 0;
    }

    /**
     * An edge is good when its direction u to v is used by exactly one triangle and v to u by
     * exactly one other; a vertex is good when its triangles form one fan around it (a disk).
     */
    static Topology of(Mesh m) {
        int[] t = m.triangles();
        Map<Long, Integer> directed = new HashMap<>();
        for (int i = 0; i < t.length; i += 3) {
            for (int e = 0; e < 3; e++) {
                directed.merge(key(t[i + e], t[i + (e + 1) % 3]), 1, Integer::sum);
            }
        }
        int badEdges = 0;
        int unpaired = 0;
        for (Map.Entry<Long, Integer> en : directed.entrySet()) {
            long k = en.getKey();
            long reverse = ((k & 0xffffffffL) << 32) | (k >>> 32);
            if (en.getValue() != 1 || directed.getOrDefault(reverse, 0) != 1) {
                badEdges++;
            }
            if (!en.getValue().equals(directed.getOrDefault(reverse, 0))) {
                unpaired++;
            }
        }
        List<Map<Integer, Integer>> fans = new ArrayList<>();
        for (int v = 0; v < m.vertexCount(); v++) {
            fans.add(new HashMap<>());
        }
        int badVertices = 0;
        Set<Integer> bad = new HashSet<>();
        for (int i = 0; i < t.length; i += 3) {
            for (int e = 0; e < 3; e++) {
                int v = t[i + e];
                if (fans.get(v).put(t[i + (e + 1) % 3], t[i + (e + 2) % 3]) != null) {
                    bad.add(v);
                }
            }
        }
        int unused = 0;
        for (int v = 0; v < fans.size(); v++) {
            Map<Integer, Integer> next = fans.get(v);
            if (next.isEmpty()) {
                unused++;
                continue;
            }
            int start = next.keySet().iterator().next();
            int cur = start;
            int steps = 0;
            do {
                Integer n = next.get(cur);
                if (n == null) {
                    break;
                }
                cur = n;
                steps++;
            } while (cur != start && steps <= next.size());
            if (cur != start || steps != next.size()) {
                bad.add(v);
            }
        }
        badVertices = bad.size();
        return new Topology(badEdges, unpaired, badVertices, unused);
    }

    /**
     * The same counts after welding vertices at equal positions, as STL readers do (prusa-slicer):
     * edges must stay in exactly two triangles. Vertices split on one point (a label touching
     * itself at a corner only) are one vertex after welding, so only edges are checked here.
     */
    static Topology welded(Mesh m) {
        return of(weldedMesh(m));
    }

    /** The mesh with one vertex per distinct position, at that position. */
    static Mesh weldedMesh(Mesh m) {
        Map<List<Float>, Integer> ids = new HashMap<>();
        float[] p = m.positions();
        int[] id = new int[m.vertexCount()];
        for (int v = 0; v < id.length; v++) {
            id[v] = ids.computeIfAbsent(List.of(p[3 * v], p[3 * v + 1], p[3 * v + 2]), k -> ids.size());
        }
        int[] t = m.triangles().clone();
        for (int i = 0; i < t.length; i++) {
            t[i] = id[t[i]];
        }
        float[] q = new float[3 * ids.size()];
        for (Map.Entry<List<Float>, Integer> e : ids.entrySet()) {
            for (int a = 0; a < 3; a++) {
                q[3 * e.getValue() + a] = e.getKey().get(a);
            }
        }
        return new Mesh(q, t);
    }

    private static long key(int u, int v) {
        return ((long) u << 32) | (v & 0xffffffffL);
    }
}
