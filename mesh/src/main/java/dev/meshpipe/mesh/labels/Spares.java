package dev.meshpipe.mesh.labels;

import java.lang.ref.SoftReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The large work arrays of label extraction, softly held for the next extraction in the same JVM
 * (a processor, the benchmark), as {@code finish.KeptArrays} keeps smoothing's and decimation's;
 * here a kind has several slots, ranked by size, since each meshing thread needs its own. On a small VM touching
 * fresh memory costs about 3 ms per MB, more than meshing an atlas; kept arrays are already
 * touched. A few slots per kind, so two jobs (and their meshing threads) at once each find some;
 * whoever finds none makes new arrays, and the garbage collector may clear any slot when memory is
 * short. Every user writes what it reads or clears it: a kept array holds a previous job's data.
 */
final class Spares<T> {
    private final AtomicReferenceArray<SoftReference<T>> slots;
    private final ToLongFunction<T> size;

    /** {@code size} ranks kept objects: when every slot is taken, a larger one replaces the smallest. */
    Spares(int slots, ToLongFunction<T> size) {
        this.slots = new AtomicReferenceArray<>(slots);
        this.size = size;
    }

    /** A kept object that {@code fits}, now the caller's alone, or null. */
    T take(Predicate<T> fits) {
        for (int i = 0; i < slots.length(); i++) {
            SoftReference<T> r = slots.get(i);
            T t = r == null ? null : r.get();
            if (t != null && fits.test(t) && slots.compareAndSet(i, r, null)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Hands {@code t} back for a later {@link #take}: into a free slot, else in place of the
     * smallest kept object when that is smaller (so a few small maps cannot lock a large map out),
     * else dropped.
     */
    void keep(T t) {
        int smallest = -1;
        long smallestSize = size.applyAsLong(t);
        for (int i = 0; i < slots.length(); i++) {
            SoftReference<T> r = slots.get(i);
            T kept = r == null ? null : r.get();
            if (kept == null) {
                if (slots.compareAndSet(i, r, new SoftReference<>(t))) {
                    return;
                }
            } else if (size.applyAsLong(kept) < smallestSize) {
                smallest = i;
                smallestSize = size.applyAsLong(kept);
            }
        }
        if (smallest >= 0) {
            SoftReference<T> r = slots.get(smallest);
            T kept = r == null ? null : r.get();
            // Lost to another thread meanwhile: drop t rather than retry.
            if (kept != null && size.applyAsLong(kept) == smallestSize) {
                slots.compareAndSet(smallest, r, new SoftReference<>(t));
            }
        }
    }
}
