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
 * those short runs are sorted. Every pass runs in parallel: the triangles are split into one range
 * per worker, each worker counts and then places its own triangles' entries through cursors over
 * the window of vertices its triangles touch (about a share of the vertices on a marching-cubes
 * surface, whose triangles and vertices both come in scan order), and the cursors start where the
 * earlier workers' entries end, so every run holds its entries in triangle order, as one worker
 * would place them.
 *
 * <p>The arrays come from {@link KeptArrays}, and {@link #recycle} gives the neighbours and
 * offsets back once the smoothing stage is done with them; an adjacency that is not recycled
 * simply keeps them. So both may be longer than {@code offsets[n]} and {@code n + 1}: read them
 * through the offsets only.
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
        int nt = t.length / 3;
        int workers = Math.max(1, Math.min(threads, nt / 65536 + 1));
        Cursors cursors = new Cursors(workers);
        Parallel.forEachWorker(nt, workers, (w, from, to) -> cursors.count(w, t, from, to));
        int[] start = KeptArrays.ints(KeptArrays.ADJACENCY_START, nv + 1);
        cursors.place(start, nv);
        // Entry 2*w + 1 says the triangle runs v -> w (w follows v), 2*w says w -> v.
        int[] raw = KeptArrays.ints(KeptArrays.ADJACENCY_RUNS, start[nv]);
        Parallel.forEachWorker(nt, workers, (w, from, to) -> {
            int[] cursor = cursors.window[w];
            int base = cursors.base[w];
            for (int i = 3 * from; i < 3 * to; i += 3) {
                int a = t[i], b = t[i + 1], c = t[i + 2];
                raw[cursor[a - base]++] = 2 * b + 1;
                raw[cursor[a - base]++] = 2 * c;
                raw[cursor[b - base]++] = 2 * c + 1;
                raw[cursor[b - base]++] = 2 * a;
                raw[cursor[c - base]++] = 2 * a + 1;
                raw[cursor[c - base]++] = 2 * b;
            }
        });
        cursors.recycle();
        // Each vertex's distinct neighbour count at v + 1, then, summed in place, the offsets.
        int[] offsets = KeptArrays.ints(KeptArrays.ADJACENCY_OFFSETS, nv + 1);
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
        // Each run's distinct neighbours are at its front.
        int[] neighbors = KeptArrays.ints(KeptArrays.ADJACENCY_NEIGHBORS, offsets[nv]);
        Parallel.forRange(nv, threads, (from, to) -> {
            for (int v = from; v < to; v++) {
                System.arraycopy(raw, start[v], neighbors, offsets[v], offsets[v + 1] - offsets[v]);
            }
        });
        KeptArrays.give(KeptArrays.ADJACENCY_RUNS, raw);
        KeptArrays.give(KeptArrays.ADJACENCY_START, start);
        return new Adjacency(offsets, neighbors, flags, counts.get(0), counts.get(1), counts.get(2), counts.get(3));
    }

    /**
     * Per worker, a cursor per vertex of the window its triangles touch: first the worker's
     * entry count there, then where its next entry goes.
     */
    private static final class Cursors {
        final int[][] window;
        final int[] base;
        final int[] length;

        Cursors(int workers) {
            int[][] kept = KeptArrays.take(KeptArrays.ADJACENCY_CURSORS) instanceof int[][] k ? k : new int[0][];
            window = java.util.Arrays.copyOf(kept, workers);
            base = new int[workers];
            length = new int[workers];
        }

        /** Counts worker w's entries, two per corner of triangles [from, to). */
        void count(int w, int[] t, int from, int to) {
            int lo = Integer.MAX_VALUE, hi = -1;
            for (int i = 3 * from; i < 3 * to; i++) {
                lo = Math.min(lo, t[i]);
                hi = Math.max(hi, t[i]);
            }
            base[w] = hi < 0 ? 0 : lo;
            length[w] = hi - base[w] + 1;
            if (window[w] == null || window[w].length < length[w]) {
                window[w] = new int[length[w]];
            } else {
                java.util.Arrays.fill(window[w], 0, length[w], 0);
            }
            int[] c = window[w];
            int b = base[w];
            for (int i = 3 * from; i < 3 * to; i++) {
                c[t[i] - b] += 2;
            }
        }

        /**
         * Writes each vertex's run start, and turns every count into that worker's first place
         * in the run: after the entries of the workers before it.
         */
        void place(int[] start, int nv) {
            int at = 0;
            for (int v = 0; v < nv; v++) {
                start[v] = at;
                for (int w = 0; w < window.length; w++) {
                    int k = v - base[w];
                    if (k >= 0 && k < length[w]) {
                        int n = window[w][k];
                        window[w][k] = at;
                        at += n;
                    }
                }
            }
            start[nv] = at;
        }

        void recycle() {
            KeptArrays.give(KeptArrays.ADJACENCY_CURSORS, window);
        }
    }

    /**
     * Gives the neighbour and offset arrays to the next adjacency built: the caller's last use of
     * this one (the smoothing stage's, once its volume correction is done). Only the flags and
     * counts may be read after.
     */
    void recycle() {
        KeptArrays.give(KeptArrays.ADJACENCY_NEIGHBORS, neighbors);
        KeptArrays.give(KeptArrays.ADJACENCY_OFFSETS, offsets);
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
