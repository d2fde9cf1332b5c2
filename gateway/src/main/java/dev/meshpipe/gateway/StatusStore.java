package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Job statuses from the Kafka Streams store, wherever the key lives: the instance that owns the
 * key's partition answers from its store (IQv2 {@link KeyQuery}); any other instance forwards the
 * question to it over HTTP. Whenever the answer cannot be known (no owner while rebalancing, the
 * store restoring, the owner unreachable) the result is 503 STATUS_UNAVAILABLE, never a 404.
 */
final class StatusStore {
    static final String SIGNATURE_HEADER = "X-Meshpipe-Internal-Signature";

    private final HostInfo self;
    private final java.util.function.UnaryOperator<String> signer;
    private final StatusCache cache;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile KafkaStreams streams;

    StatusStore(HostInfo self, java.util.function.UnaryOperator<String> signer, StatusCache cache) {
        this.self = self;
        this.signer = signer;
        this.cache = cache;
    }

    /** Which instance owns each partition of the events topic, as of the last rebalance. */
    private volatile java.util.Map<Integer, HostInfo> owners = java.util.Map.of();
    private volatile int partitions;

    void bind(KafkaStreams streams) {
        this.streams = streams;
    }

    /**
     * Re-reads partition ownership; called whenever the app becomes RUNNING, so lookups need not
     * ask Kafka Streams for every request (that takes its locks).
     */
    void refreshOwners() {
        KafkaStreams s = streams;
        if (s == null) {
            return;
        }
        java.util.Map<Integer, HostInfo> map = new java.util.HashMap<>();
        for (org.apache.kafka.streams.StreamsMetadata m : s.metadataForAllStreamsClients()) {
            for (org.apache.kafka.common.TopicPartition tp : m.topicPartitions()) {
                if (tp.topic().equals(Topics.EVENTS)) {
                    map.put(tp.partition(), m.hostInfo());
                }
            }
        }
        int count = 0;
        for (int p : map.keySet()) {
            count = Math.max(count, p + 1);
        }
        owners = java.util.Map.copyOf(map);
        partitions = count;
        java.util.Set<Integer> mine = new java.util.HashSet<>();
        map.forEach((p, host) -> {
            if (host.equals(self)) {
                mine.add(p);
            }
        });
        cache.retainOnly(mine);
    }

    boolean ready() {
        KafkaStreams s = streams;
        return s != null && s.state() == KafkaStreams.State.RUNNING;
    }

    /**
     * Waits until the job's status satisfies {@code done} (read-your-writes after this instance
     * published an event); returns the last status seen, empty if none showed within the time.
     */
    Optional<JobStatus> await(String id, java.util.function.Predicate<JobStatus> done, long timeoutMs) {
        long end = System.currentTimeMillis() + timeoutMs;
        Optional<JobStatus> last = Optional.empty();
        while (true) {
            try {
                last = get(id);
                if (last.isPresent() && done.test(last.get())) {
                    return last;
                }
            } catch (ProblemException unavailableNow) {
                // rebalancing or restoring: ask again
            }
            if (System.currentTimeMillis() >= end) {
                return last;
            }
            sleep();
        }
    }

    /** The job's status from whichever instance owns it. */
    Optional<JobStatus> get(String id) {
        KafkaStreams s = streams;
        if (s == null || s.state() != KafkaStreams.State.RUNNING) {
            throw unavailable("job status is not available yet");
        }
        int partition = partitionOf(id);
        HostInfo owner = partition < 0 ? null : owners.get(partition);
        if (owner == null || HostInfo.unavailable().equals(owner)) {
            throw unavailable("the owner of this job's status is being decided");
        }
        if (owner.equals(self)) {
            return local(id, partition);
        }
        return remote(owner, id);
    }

    /** The job's partition: the producer's default partitioning of a String key, which Kafka Streams shares; -1 before the first rebalance. */
    int partitionOf(String id) {
        int n = partitions;
        return n == 0 ? -1 : org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(id.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % n;
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
        StateQueryResult<JobStatus> res = s.query(req);
        QueryResult<JobStatus> r = res.getPartitionResults().get(partition);
        if (r != null && r.isSuccess()) {
            return Optional.ofNullable(r.getResult());
        }
        FailureReason why = r == null ? FailureReason.NOT_PRESENT : r.getFailureReason();
        throw unavailable("the status store is not ready here (" + why + ")");
    }

    private Optional<JobStatus> remote(HostInfo owner, String id) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + owner.host() + ":" + owner.port() + "/internal/status/" + id))
                .header(SIGNATURE_HEADER, signer.apply(id))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            return switch (res.statusCode()) {
                case 200 -> Optional.of(Json.read(res.body(), JobStatus.class));
                case 404 -> Optional.empty();
                default -> throw unavailable("the owner of this job's status answered " + res.statusCode());
            };
        } catch (IOException e) {
            throw unavailable("the owner of this job's status is unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    /** A tenant's unfinished jobs and the bytes of its results still downloadable. */
    record Usage(int activeJobs, long storedBytes) {
        Usage plus(Usage o) {
            return new Usage(activeJobs + o.activeJobs, storedBytes + o.storedBytes);
        }
    }

    /**
     * A tenant's usage over the whole status store: this instance's partitions, and each other
     * instance's asked over HTTP. A scan of every status, so it is only done where quotas are on.
     */
    Usage usage(String tenant) {
        KafkaStreams s = streams;
        if (s == null || s.state() != KafkaStreams.State.RUNNING || owners.isEmpty()) {
            throw unavailable("job status is not available yet");
        }
        Usage total = new Usage(0, 0);
        for (HostInfo host : new java.util.HashSet<>(owners.values())) {
            if (HostInfo.unavailable().equals(host)) {
                throw unavailable("the owner of some statuses is being decided");
            }
            total = total.plus(host.equals(self) ? localUsage(tenant) : remoteUsage(host, tenant));
        }
        return total;
    }

    /** The tenant's usage in the partitions this instance owns; also what the internal route answers. */
    Usage localUsage(String tenant) {
        KafkaStreams s = streams;
        Set<Integer> mine = new java.util.HashSet<>();
        owners.forEach((p, host) -> {
            if (host.equals(self)) {
                mine.add(p);
            }
        });
        if (s == null || mine.isEmpty()) {
            return new Usage(0, 0);
        }
        StateQueryRequest<org.apache.kafka.streams.state.KeyValueIterator<String, JobStatus>> req = StateQueryRequest
                .inStore(StatusTopology.STORE)
                .withQuery(org.apache.kafka.streams.query.RangeQuery.<String, JobStatus>withNoBounds())
                .withPartitions(mine)
                .requireActive();
        int active = 0;
        long bytes = 0;
        java.time.Instant now = java.time.Instant.now();
        for (var e : s.query(req).getPartitionResults().entrySet()) {
            QueryResult<org.apache.kafka.streams.state.KeyValueIterator<String, JobStatus>> r = e.getValue();
            if (!r.isSuccess()) {
                throw unavailable("the status store is not ready here (" + r.getFailureReason() + ")");
            }
            try (var it = r.getResult()) {
                while (it.hasNext()) {
                    JobStatus st = it.next().value;
                    if (st == null || !java.util.Objects.equals(tenant, st.tenant())) {
                        continue;
                    }
                    if (!st.state().isFinished()) {
                        active++;
                    } else if (st.state() == dev.meshpipe.common.events.JobState.SUCCEEDED && st.result() != null
                            && (st.result().expiresAt() == null || st.result().expiresAt().isAfter(now))) {
                        bytes += st.result().size();
                    }
                }
            }
        }
        return new Usage(active, bytes);
    }

    /** The message internal usage calls sign: the tenant, or none. */
    static String usageSubject(String tenant) {
        return "usage:" + (tenant == null ? "" : tenant);
    }

    private Usage remoteUsage(HostInfo owner, String tenant) {
        String query = tenant == null ? "" : "?tenant=" + java.net.URLEncoder.encode(tenant, java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + owner.host() + ":" + owner.port() + "/internal/usage" + query))
                .header(SIGNATURE_HEADER, signer.apply(usageSubject(tenant)))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                throw unavailable("another instance answered " + res.statusCode() + " for usage");
            }
            return Json.read(res.body(), Usage.class);
        } catch (IOException e) {
            throw unavailable("another instance is unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(ErrorCode.STATUS_UNAVAILABLE, detail + "; try again", null), 1);
    }
}
