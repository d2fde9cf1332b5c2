package dev.meshpipe.mesh.finish;

import java.lang.ref.SoftReference;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The finishing stages' largest work arrays, softly held for the next run in this JVM (a
 * processor, a benchmark): on a large surface smoothing and decimation are mostly passes over
 * about 100 MB, and memory the process touches for the first time costs a page fault every 4 KiB
 * (about 3 ms/MB on the benchmark VM), as much as the arithmetic. A run that finds its arrays kept
 * touches no fresh memory but its output. Every kept array is named here, one slot each.
 *
 * <p>{@link #take} empties the slot, so two runs at once in one JVM never share an array: the
 * second simply gets a new one, and whichever gives its array back last leaves it for the next.
 * A taken array holds whatever the last user left: every user writes what it reads first.
 */
final class KeptArrays {
    /** {@link Adjacency}: each vertex's run of triangle neighbours, the runs' starts, per-worker cursors, the result. */
    static final int ADJACENCY_RUNS = 0;
    static final int ADJACENCY_START = 1;
    static final int ADJACENCY_CURSORS = 2;
    static final int ADJACENCY_OFFSETS = 3;
    static final int ADJACENCY_NEIGHBORS = 4;
    /** {@link WindowedSincSmoother.Stencil}'s rows and weights. */
    static final int STENCIL_ROWS = 5;
    static final int STENCIL_WEIGHTS = 6;
    /** The smoother's centred input and its two step buffers. */
    static final int POSITIONS = 7;
    static final int STEP = 8;
    static final int OLDER_STEP = 9;
    /** {@link VolumePreservation}'s component labels and vertex normals. */
    static final int LABELS = 10;
    static final int NORMALS = 11;
    /** {@link QuadricDecimator}'s triangles, vertex-to-triangle references, positions, quadrics and costs. */
    static final int DECIMATION_TRIANGLES = 12;
    static final int DECIMATION_REFS = 13;
    static final int DECIMATION_POSITIONS = 14;
    static final int DECIMATION_QUADRICS = 15;
    static final int DECIMATION_COSTS = 16;
    private static final int COUNT = 17;

    @SuppressWarnings("unchecked")
    private static final AtomicReference<SoftReference<Object>>[] SLOTS = new AtomicReference[COUNT];

    static {
        for (int i = 0; i < COUNT; i++) {
            SLOTS[i] = new AtomicReference<>();
        }
    }

    private KeptArrays() {}

    static Object take(int slot) {
        SoftReference<Object> r = SLOTS[slot].getAndSet(null);
        return r == null ? null : r.get();
    }

    /**
     * The slot's int array when it holds at least {@code size}, else a new one; either way now the
     * caller's alone. Size 0 takes whatever is kept, for a list the caller grows itself.
     */
    static int[] ints(int slot, int size) {
        return take(slot) instanceof int[] a && a.length >= size ? a : new int[size];
    }

    static float[] floats(int slot, int size) {
        return take(slot) instanceof float[] a && a.length >= size ? a : new float[size];
    }

    /** Leaves {@code array} for the next taker; the caller must not touch it again. */
    static void give(int slot, Object array) {
        if (array != null) {
            SLOTS[slot].set(new SoftReference<>(array));
        }
    }

    /** Empties every slot (tests: a run that finds nothing kept). */
    static void clear() {
        for (AtomicReference<SoftReference<Object>> s : SLOTS) {
            s.set(null);
        }
    }
}
