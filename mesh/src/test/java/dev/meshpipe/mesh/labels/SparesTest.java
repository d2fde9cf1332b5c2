package dev.meshpipe.mesh.labels;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SparesTest {

    @Test
    void aKeptArrayIsTakenOnceAndOnlyWhenItFits() {
        Spares<int[]> spares = new Spares<>(2, a -> a.length);
        int[] a = new int[10];
        spares.keep(a);
        assertNull(spares.take(x -> x.length >= 11));
        assertSame(a, spares.take(x -> x.length >= 10));
        assertNull(spares.take(x -> true));
    }

    /** Two small maps must not lock a large one out: with every slot taken, the smallest gives way. */
    @Test
    void aLargerArrayReplacesTheSmallestWhenEverySlotIsTaken() {
        Spares<int[]> spares = new Spares<>(2, a -> a.length);
        int[] small = new int[5];
        int[] medium = new int[8];
        int[] large = new int[20];
        spares.keep(small);
        spares.keep(medium);
        spares.keep(new int[3]);
        spares.keep(large);
        assertSame(large, spares.take(x -> x.length >= 20));
        assertSame(medium, spares.take(x -> true));
        assertNull(spares.take(x -> true));
    }
}
