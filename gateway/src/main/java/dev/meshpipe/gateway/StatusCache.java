package dev.meshpipe.gateway;

import dev.meshpipe.common.events.JobStatus;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The statuses this instance's fold has written since its tasks started, so a lookup on the
 * owning instance skips the IQv2 query and the JSON decoding of the stored value.
 *
 * <p>Only the fold writes here, in the same stream thread and right after each store write, and
 * a partition's entries are dropped whenever its task starts, stops or moves. So an entry is
 * never older than the store: no reader can put back a value that the fold has since replaced.
 * A key that is not here (restored rather than written, or past the size cap) is read from the
 * store as before.
 */
final class StatusCache {
    /** Entries at most per partition (about 1 KiB each, so 60 MiB at most for 6 partitions); past it new keys are not cached. */
    static final int MAX_PER_PARTITION = 10_000;

    private final ConcurrentHashMap<Integer, ConcurrentHashMap<String, JobStatus>> partitions = new ConcurrentHashMap<>();
    /** Counts the fold's writes, so a waiter learns of one at once (and of one it might have missed). */
    private final Object written = new Object();
    private long writes;

    /** The fold's task for this partition started: nothing it had written before counts. */
    void open(int partition) {
        partitions.put(partition, new ConcurrentHashMap<>());
    }

    /** The task stopped (revoked, closed or to be restored again). */
    void close(int partition) {
        partitions.remove(partition);
    }

    void put(int partition, String id, JobStatus status) {
        ConcurrentHashMap<String, JobStatus> m = partitions.get(partition);
        if (m != null && (m.size() < MAX_PER_PARTITION || m.containsKey(id))) {
            m.put(id, status);
        }
        // Even uncached: the store has it now, and a waiter reads it from there.
        synchronized (written) {
            writes++;
            written.notifyAll();
        }
    }

    /** How many writes so far. */
    long changes() {
        synchronized (written) {
            return writes;
        }
    }

    /** Returns once there were more than {@code seen} writes, or after {@code ms}. */
    void awaitChange(long seen, long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000;
        synchronized (written) {
            for (long left = ms * 1_000_000; writes == seen && left > 0; left = end - System.nanoTime()) {
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(written, left);
            }
        }
    }

    void remove(int partition, String id) {
        ConcurrentHashMap<String, JobStatus> m = partitions.get(partition);
        if (m != null) {
            m.remove(id);
        }
    }

    /** The cached status, or null when only the store can say. */
    JobStatus get(int partition, String id) {
        ConcurrentHashMap<String, JobStatus> m = partitions.get(partition);
        return m == null ? null : m.get(id);
    }

    /** After a rebalance: forget partitions this instance no longer owns. */
    void retainOnly(Set<Integer> owned) {
        partitions.keySet().retainAll(owned);
    }
}
