package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Job statuses from the Kafka Streams store, wherever the key lives: the instance that owns the
 * key's partition answers from its store (IQv2 {@link KeyQuery}); any other instance forwards the
 * question to it over HTTP ({@link PeerClient}). Whenever the answer cannot be known (no owner
 * while rebalancing, the store restoring, the owner unreachable) the result is 503
 * STATUS_UNAVAILABLE, never a 404.
 */
final class StatusStore implements JobStatuses {
    private final PartitionOwners owners;
    private final PeerClient peers;
    private final StatusCache cache;
    private volatile KafkaStreams streams;

    StatusStore(HostInfo self, UnaryOperator<String> signer, StatusCache cache) {
        this.owners = new PartitionOwners(self);
        this.peers = new PeerClient(signer);
        this.cache = cache;
    }

    void bind(KafkaStreams streams) {
        this.streams = streams;
    }

    /**
     * Re-reads partition ownership; called whenever the app becomes RUNNING, so lookups need not
     * ask Kafka Streams for every request (that takes its locks).
     */
    void refreshOwners() {
        KafkaStreams s = streams;
        if (s != null) {
            cache.retainOnly(owners.refresh(s));
        }
    }

    boolean ready() {
        KafkaStreams s = streams;
        return s != null && s.state() == KafkaStreams.State.RUNNING;
    }

    /** The job's status from whichever instance owns it. */
    @Override
    public Optional<JobStatus> get(String id) {
        if (!ready()) {
            throw unavailable("job status is not available yet");
        }
        int partition = partitionOf(id);
        HostInfo owner = owners.ownerOf(partition);
        if (owner == null || HostInfo.unavailable().equals(owner)) {
            throw unavailable("the owner of this job's status is being decided");
        }
        return owner.equals(owners.self()) ? local(id, partition) : peers.status(owner, id);
    }

    /**
     * The fold's writes wake a POST waiting for its job here (read-your-writes) at once, instead
     * of at its next look 20 ms later. A job owned elsewhere is still asked for every 20 ms.
     */
    @Override
    public long changes() {
        return cache.changes();
    }

    @Override
    public void awaitChange(long seen, long ms) throws InterruptedException {
        cache.awaitChange(seen, ms);
    }

    int partitionOf(String id) {
        return owners.partitionOf(id);
    }

    /** Answers from this instance's store; also what the internal route answers other instances. */
    Optional<JobStatus> local(String id, int partition) {
        KafkaStreams s = streams;
        if (s == null) {
            throw unavailable("job status is not available yet");
        }
        JobStatus cached = cache.get(partition, id);
        if (cached != null) {
            return Optional.of(cached);
        }
        StateQueryRequest<JobStatus> req = StateQueryRequest.inStore(StatusTopology.STORE)
                .withQuery(KeyQuery.<String, JobStatus>withKey(id))
                .withPartitions(Set.of(partition))
                .requireActive();
        QueryResult<JobStatus> r = s.query(req).getPartitionResults().get(partition);
        if (r != null && r.isSuccess()) {
            return Optional.ofNullable(r.getResult());
        }
        FailureReason why = r == null ? FailureReason.NOT_PRESENT : r.getFailureReason();
        throw unavailable("the status store is not ready here (" + why + ")");
    }

    /**
     * A tenant's usage over the whole status store: this instance's partitions, and each other
     * instance's asked over HTTP. A scan of every status, so it is only done where quotas are on.
     */
    @Override
    public Usage usage(String tenant) {
        if (!ready() || owners.isEmpty()) {
            throw unavailable("job status is not available yet");
        }
        Usage total = new Usage(0, 0);
        for (HostInfo host : owners.hosts()) {
            if (HostInfo.unavailable().equals(host)) {
                throw unavailable("the owner of some statuses is being decided");
            }
            total = total.plus(host.equals(owners.self()) ? localUsage(tenant) : peers.usage(host, tenant));
        }
        return total;
    }

    /** The tenant's usage in the partitions this instance owns; also what the internal route answers. */
    Usage localUsage(String tenant) {
        KafkaStreams s = streams;
        Set<Integer> mine = owners.mine();
        if (s == null || mine.isEmpty()) {
            return new Usage(0, 0);
        }
        StateQueryRequest<KeyValueIterator<String, JobStatus>> req = StateQueryRequest.inStore(StatusTopology.STORE)
                .withQuery(RangeQuery.<String, JobStatus>withNoBounds())
                .withPartitions(mine)
                .requireActive();
        Usage total = new Usage(0, 0);
        Instant now = Instant.now();
        for (Map.Entry<Integer, QueryResult<KeyValueIterator<String, JobStatus>>> e : s.query(req).getPartitionResults().entrySet()) {
            QueryResult<KeyValueIterator<String, JobStatus>> r = e.getValue();
            if (!r.isSuccess()) {
                throw unavailable("the status store is not ready here (" + r.getFailureReason() + ")");
            }
            try (KeyValueIterator<String, JobStatus> it = r.getResult()) {
                while (it.hasNext()) {
                    total = total.plus(usageOf(it.next().value, tenant, now));
                }
            }
        }
        return total;
    }

    /**
     * A page of the listing: this instance's partitions and every other instance's, asked over
     * HTTP, merged. Every instance gives its own first {@code limit}, so the merge holds the
     * first {@code limit} of all; one that cannot answer fails the whole page.
     */
    @Override
    public List<JobListing.Item> list(JobListing.Query q) {
        if (!ready() || owners.isEmpty()) {
            throw unavailable("job status is not available yet");
        }
        List<List<JobListing.Item>> parts = new ArrayList<>();
        for (HostInfo host : owners.hosts()) {
            if (HostInfo.unavailable().equals(host)) {
                throw unavailable("the owner of some statuses is being decided");
            }
            parts.add(host.equals(owners.self()) ? localList(q) : peers.list(host, q));
        }
        return JobListing.merge(parts, q.limit());
    }

    /** A page from the partitions this instance owns; also what the internal route answers. */
    List<JobListing.Item> localList(JobListing.Query q) {
        return IndexScan.page(streams, owners.mine(), q, this::local);
    }

    /** What one status counts toward the tenant's quotas: an unfinished job, or a result still downloadable. */
    private static Usage usageOf(JobStatus st, String tenant, Instant now) {
        if (st == null || !Objects.equals(tenant, st.tenant())) {
            return new Usage(0, 0);
        }
        if (!st.state().isFinished()) {
            return new Usage(1, 0);
        }
        boolean stored = st.state() == JobState.SUCCEEDED && st.result() != null
                && (st.result().expiresAt() == null || st.result().expiresAt().isAfter(now));
        return new Usage(0, stored ? st.result().size() : 0);
    }

    static MeshpipeException unavailable(String detail) {
        return new MeshpipeException(ErrorCode.STATUS_UNAVAILABLE, detail + "; try again");
    }
}
