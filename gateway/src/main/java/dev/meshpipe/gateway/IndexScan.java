package dev.meshpipe.gateway;

import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * One page of the listing from this instance's partitions: an IQv2 range query over the index
 * ({@link JobListing#STORE}) of each partition, merged in key order, each hit read from the
 * status store. A hit whose status is gone, or has since moved to another key, is skipped: an
 * entry a crash left behind never shows.
 */
final class IndexScan {
    /** Reads a status of a partition this instance owns. */
    interface Lookup {
        Optional<JobStatus> get(String id, int partition);
    }

    private IndexScan() {}

    static List<JobListing.Item> page(KafkaStreams streams, Set<Integer> partitions, JobListing.Query q, Lookup statuses) {
        if (streams == null || partitions.isEmpty()) {
            return List.of();
        }
        StateQueryRequest<KeyValueIterator<String, String>> req = StateQueryRequest.inStore(JobListing.STORE)
                .withQuery(RangeQuery.<String, String>withRange(JobListing.from(q), JobListing.to(q)).withAscendingKeys())
                .withPartitions(partitions)
                .requireActive();
        StateQueryResult<KeyValueIterator<String, String>> result = streams.query(req);
        List<KeyValueIterator<String, String>> open = new ArrayList<>();
        try {
            PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing((Head h) -> h.entry.key));
            for (Map.Entry<Integer, QueryResult<KeyValueIterator<String, String>>> e : result.getPartitionResults().entrySet()) {
                QueryResult<KeyValueIterator<String, String>> r = e.getValue();
                if (!r.isSuccess()) {
                    throw StatusStore.unavailable("the status store is not ready here (" + r.getFailureReason() + ")");
                }
                open.add(r.getResult());
                Head.next(heads, e.getKey(), r.getResult());
            }
            List<JobListing.Item> page = new ArrayList<>();
            while (page.size() < q.limit() && !heads.isEmpty()) {
                Head h = heads.poll();
                keep(h, q, statuses).ifPresent(page::add);
                Head.next(heads, h.partition, h.rest);
            }
            return page;
        } finally {
            open.forEach(KeyValueIterator::close);
        }
    }

    private static Optional<JobListing.Item> keep(Head h, JobListing.Query q, Lookup statuses) {
        if (!q.keeps(JobState.valueOf(h.entry.value))) {
            return Optional.empty();
        }
        JobListing.Position p = JobListing.positionOf(h.entry.key);
        return statuses.get(p.id(), h.partition)
                .filter(s -> q.keeps(s.state()) && JobListing.at(s) == p.at()
                        && (q.scope().equals(JobListing.ALL) || q.scope().equals(JobListing.scopeOf(s.tenant()))))
                .map(s -> new JobListing.Item(p.at(), p.id(), s));
    }

    /** A partition's next index entry, and the rest of that partition's iterator. */
    private record Head(int partition, KeyValue<String, String> entry, KeyValueIterator<String, String> rest) {
        static void next(PriorityQueue<Head> heads, int partition, KeyValueIterator<String, String> it) {
            if (it.hasNext()) {
                heads.add(new Head(partition, it.next(), it));
            }
        }
    }
}
