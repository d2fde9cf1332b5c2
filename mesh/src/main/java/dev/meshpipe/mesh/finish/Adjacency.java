package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;

/**
 * Vertex adjacency in compressed sparse rows (neighbours of vertex v are
 * {@code neighbors[offsets[v] .. offsets[v+1])}), with each vertex's edges classified on the way:
 * an edge in one triangle is a boundary edge, in more than two a non-manifold edge, and an edge
 * whose two triangles traverse it in the same direction is misoriented.
 *
 * <p>Built in linear time without sorting the whole edge list: each vertex collects its two
 * neighbours from every triangle around it (a dozen entries on a marching-cubes surface), and only
 * those short runs are sorted, in parallel. The neighbour array is the collection array compacted
 * in place, so it may be longer than {@code offsets[n]}: read it through the offsets only.
 *
 * <p>The collection and offset arrays come from {@link SmoothingSpares}, and {@link #recycle}
 * gives them back once the smoothing stage is done with them; an adjacency that is not recycled
 * simply keeps them. The same goes for the offsets, which may be longer than {@code n + 1}.
 */
final class Adjacency {
    static final byte BOUNDARY = 1;
    static final byte NON_MANIFOLD = 2;
    static final byte MISORIENTED = 4;

    final int[] offsets;
    final int[] neighbors;
    /** Per vertex: the OR of its edges' classes. */
    final byte[] flags;
    final long edges;
    final long boundaryEdges;
    final long nonManifoldEdges;
    final long misorientedEdges;

    private Adjacency(int[] offsets, int[] neighbors, byte[] flags, long edges, long boundaryEdges,
                      long nonManifoldEdges, long misorientedEdges) {
        this.offsets = offsets;
        this.neighbors = neighbors;
        this.flags = flags;
        this.edges = edges;
        this.boundaryEdges = boundaryEdges;
        this.nonManifoldEdges = nonManifoldEdges;
        this.misorientedEdges = misorientedEdges;
    }

    int degree(int v) {
        return offsets[v + 1] - offsets[v];
    }

    static Adjacency of(Mesh mesh, int threads) {
        int nv = mesh.vertexCount();
        int[] t = mesh.triangles();
        int[] start = SmoothingSpares.ints(SmoothingSpares.ADJACENCY_START, nv + 1);
        java.util.Arrays.fill(start, 0, nv + 1, 0);
        for (int x : t) {
            start[x + 1] += 2;
        }
        for (int v = 0; v < nv; v++) {
            start[v + 1] += start[v];
        }
        // Entry 2*w + 1 says the triangle runs v -> w (w follows v), 2*w says w -> v.
        int[] raw = SmoothingSpares.ints(SmoothingSpares.ADJACENCY_RUNS, start[nv]);
        int[] cursor = SmoothingSpares.ints(SmoothingSpares.ADJACENCY_OFFSETS, nv + 1);
        System.arraycopy(start, 0, cursor, 0, nv);
        for (int i = 0; i < t.length; i += 3) {
            int a = t[i], b = t[i + 1], c = t[i + 2];
            raw[cursor[a]++] = 2 * b + 1;
            raw[cursor[a]++] = 2 * c;
            raw[cursor[b]++] = 2 * c + 1;
            raw[cursor[b]++] = 2 * a;
            raw[cursor[c]++] = 2 * a + 1;
            raw[cursor[c]++] = 2 * b;
        }
        // The cursors are spent: the array now takes each vertex's distinct neighbour count at
        // v + 1, and then, summed in place, becomes the offsets.
        int[] offsets = cursor;
        byte[] flags = new byte[nv];
        // edges, boundary, non-manifold, misoriented; each edge counted at its lower vertex
        java.util.concurrent.atomic.AtomicLongArray counts = new java.util.concurrent.atomic.AtomicLongArray(4);
        Parallel.forRange(nv, threads, (from, to) -> {
            long[] local = new long[4];
            for (int v = from; v < to; v++) {
                offsets[v + 1] = classify(v, raw, start[v], start[v + 1], flags, local);
            }
            for (int k = 0; k < 4; k++) {
                counts.addAndGet(k, local[k]);
            }
        });
        offsets[0] = 0;
        for (int v = 0; v < nv; v++) {
            offsets[v + 1] += offsets[v];
        }
        // Each run's distinct neighbours are at its front; moved down in ascending order, no run
        // overwrites one not yet moved, so the raw array becomes the neighbour array.
        int[] neighbors = raw;
        for (int v = 0; v < nv; v++) {
            for (int k = offsets[v], j = start[v]; k < offsets[v + 1]; k++, j++) {
                neighbors[k] = raw[j];
            }
        }
        SmoothingSpares.give(SmoothingSpares.ADJACENCY_START, start);
        return new Adjacency(offsets, neighbors, flags, counts.get(0), counts.get(1), counts.get(2), counts.get(3));
    }

    /**
     * Gives the neighbour and offset arrays to the next adjacency built: the caller's last use of
     * this one (the smoothing stage's, once its volume correction is done). Only the flags and
     * counts may be read after.
     */
    void recycle() {
        SmoothingSpares.give(SmoothingSpares.ADJACENCY_RUNS, neighbors);
        SmoothingSpares.give(SmoothingSpares.ADJACENCY_OFFSETS, offsets);
    }

    /** Sorts v's run, writes its distinct neighbours to the run's front, and returns how many there are. */
    private static int classify(int v, int[] raw, int from, int to, byte[] flags, long[] counts) {
        for (int i = from + 1; i < to; i++) { // runs are short: insertion sort
            int x = raw[i];
            int j = i - 1;
            while (j >= from && raw[j] > x) {
                raw[j + 1] = raw[j];
                j--;
            }
            raw[j + 1] = x;
        }
        int out = from;
        byte f = 0;
        for (int i = from; i < to; ) {
            int w = raw[i] >> 1;
            int forward = 0;
            int backward = 0;
            int j = i;
            for (; j < to && raw[j] >> 1 == w; j++) {
                if ((raw[j] & 1) == 1) {
                    forward++;
                } else {
                    backward++;
                }
            }
            int uses = forward + backward;
            byte edge = uses == 1 ? BOUNDARY : uses > 2 ? NON_MANIFOLD : (forward != 1 ? MISORIENTED : 0);
            f |= edge;
            if (v < w) {
                counts[0]++;
                if (edge == BOUNDARY) {
                    counts[1]++;
                } else if (edge == NON_MANIFOLD) {
                    counts[2]++;
                } else if (edge == MISORIENTED) {
                    counts[3]++;
                }
            }
            raw[out++] = w;
            i = j;
        }
        flags[v] = f;
        return out - from;
    }
}
