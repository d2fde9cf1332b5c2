package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobStatus;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where the routes look up jobs: the Kafka Streams status store in the service ({@link StatusStore}),
 * a map in route tests. Either may answer 503 {@code STATUS_UNAVAILABLE} while it cannot know.
 */
interface JobStatuses {

    /** The job's status, empty when there is no such job. */
    Optional<JobStatus> get(String id);

    /** A tenant's unfinished jobs and the bytes of its results still downloadable, over every job. */
    Usage usage(String tenant);

    /**
     * Up to {@code q.limit()} jobs of the query's scope, newest first, over every instance's
     * partitions; 503 {@code STATUS_UNAVAILABLE} rather than a partial list.
     */
    List<JobListing.Item> list(JobListing.Query q);

    /** A tenant's usage. */
    record Usage(int activeJobs, long storedBytes) {
        Usage plus(Usage o) {
            return new Usage(activeJobs + o.activeJobs, storedBytes + o.storedBytes);
        }
    }

    /**
     * Waits until the job's status satisfies {@code done} (read-your-writes after this instance
     * published an event); returns the last status seen, empty if none showed within the time.
     */
    default Optional<JobStatus> await(String id, Predicate<JobStatus> done, long timeoutMs) {
        long end = System.currentTimeMillis() + timeoutMs;
        Optional<JobStatus> last = Optional.empty();
        while (true) {
            long seen = changes();
            try {
                last = get(id);
                if (last.isPresent() && done.test(last.get())) {
                    return last;
                }
            } catch (MeshpipeException e) {
                if (e.code() != ErrorCode.STATUS_UNAVAILABLE) {
                    throw e;
                }
                // rebalancing or restoring: ask again
            }
            if (System.currentTimeMillis() >= end) {
                return last;
            }
            try {
                awaitChange(seen, Math.min(20, Math.max(1, end - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last;
            }
        }
    }

    /** A count of the statuses written here so far, for {@link #awaitChange}; 0 where nothing tells. */
    default long changes() {
        return 0;
    }

    /** Returns when a status was written here after {@code seen} was read, or after {@code ms} at most. */
    default void awaitChange(long seen, long ms) throws InterruptedException {
        Thread.sleep(ms);
    }
}
