package dev.meshpipe.mesh.labels;

import java.lang.ref.SoftReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

/**
 * The large work arrays of label extraction, softly held for the next extraction in the same JVM
 * (a processor, the benchmark), as {@code QuadricDecimator} keeps its own. On a small VM touching
 * fresh memory costs about 3 ms per MB, more than meshing an atlas; kept arrays are already
 * touched. A few slots per kind, so two jobs (and their meshing threads) at once each find some;
 * whoever finds none makes new arrays, and the garbage collector may clear any slot when memory is
 * short. Every user writes what it reads or clears it: a kept array holds a previous job's data.
 */
final class Spares<T> {
    private final AtomicReferenceArray<SoftReference<T>> slots;

    Spares(int slots) {
        this.slots = new AtomicReferenceArray<>(slots);
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

    /** Hands {@code t} back for a later {@link #take}; dropped when every slot holds a live object. */
    void keep(T t) {
        for (int i = 0; i < slots.length(); i++) {
            SoftReference<T> r = slots.get(i);
            if ((r == null || r.get() == null) && slots.compareAndSet(i, r, new SoftReference<>(t))) {
                return;
            }
        }
    }
}
