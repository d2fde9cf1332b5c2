package dev.meshpipe.ingest;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.kafka.StreamsStart;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest service: a Kafka Streams application (exactly-once) that validates submissions from
 * producers and from the gateway and turns them into tasks.
 */
public final class IngestService implements AutoCloseable {
    public static final String APPLICATION_ID = "meshpipe-ingest";
    /** How often ingest commits its transaction: what it adds to each job's time at most. */
    static final int COMMIT_INTERVAL_MS = 10;
    private static final Logger log = LoggerFactory.getLogger(IngestService.class);

    private final java.util.function.Supplier<KafkaStreams> factory;
    private volatile KafkaStreams streams;

    public IngestService(MeshpipeConfig config, ObjectStore store) {
        VolumeLimits limits = config.volumeLimits();
        Duration dedupeWindow = config.dedupeWindow();
        this.factory = () -> {
            KafkaStreams s = new KafkaStreams(IngestTopology.build(new SubmissionValidator(store, limits), dedupeWindow), properties(config));
            // A failure to reach storage is transient: restart the thread, which resumes from the last commit.
            s.setUncaughtExceptionHandler(e -> {
                log.error("ingest stream thread failed; replacing it", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            return s;
        };
        this.streams = factory.get();
    }

    static Properties properties(MeshpipeConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("ingest").toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replication());
        // Under exactly-once a task is visible to the processor only once ingest commits, so the
        // commit interval is added to every job (the default 100 ms was half of a tiny job's time).
        // A commit happens only when records were processed, so an idle ingest pays nothing.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        // A commit that falls due while the thread blocks in poll waits for the poll to return:
        // with no new submission, for the whole poll time (default 100 ms).
        p.put(StreamsConfig.POLL_MS_CONFIG, COMMIT_INTERVAL_MS);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // A crashed instance's partitions move after 10 s instead of the default 45.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        // Static membership, as in TransactionalWorker: a restart after a crash replaces the dead member at once.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), "meshpipe-ingest-" + config.instanceId());
        p.put(StreamsConfig.producerPrefix("max.request.size"), 16 * 1024 * 1024);
        return p;
    }

    public void start() {
        streams = StreamsStart.wipingUnreadableState(streams, factory, "ingest's local state");
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        // Leave the group so a restarted instance gets its partitions at once, not after the session timeout.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10)));
    }
}
