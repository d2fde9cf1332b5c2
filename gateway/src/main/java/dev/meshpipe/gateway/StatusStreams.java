package dev.meshpipe.gateway;

import dev.meshpipe.common.MeshpipeConfig;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import dev.meshpipe.common.kafka.StreamsStart;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Kafka Streams app that folds the events topic into the status store, started and bound to it. */
final class StatusStreams {
    static final String APPLICATION_ID = "meshpipe-gateway";
    private static final Logger log = LoggerFactory.getLogger(StatusStreams.class);

    private StatusStreams() {}

    /**
     * Starts the app with {@code statuses} bound to it. Local stores that cannot be opened (a
     * crash while Kafka Streams was wiping one) would fail every later start too; the changelog
     * holds the statuses, so then it starts afresh.
     */
    static KafkaStreams start(MeshpipeConfig config, GatewayOptions options, HostInfo self, StatusCache cache, StatusStore statuses) {
        return StreamsStart.wipingUnreadableState(create(config, options, self, cache, statuses),
                () -> create(config, options, self, cache, statuses), "the status store's local state");
    }

    private static KafkaStreams create(MeshpipeConfig config, GatewayOptions options, HostInfo self, StatusCache cache,
                                       StatusStore statuses) {
        KafkaStreams s = new KafkaStreams(StatusTopology.build(options.statusRetention(), cache), properties(config, options, self));
        s.setUncaughtExceptionHandler(e -> {
            log.error("gateway stream thread failed; replacing it", e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        s.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                statuses.refreshOwners();
            }
        });
        statuses.bind(s); // before start: the RUNNING listener reads ownership through it
        return s;
    }

    static Properties properties(MeshpipeConfig config, GatewayOptions options, HostInfo self) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("gateway-" + self.port()).toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replication());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, options.standbyReplicas());
        // The fold's callback records commit with the store's change and the consumed offset, so a
        // terminal move is announced to the webhook sender once, whatever crashes (StatusTopology).
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        // Aborted transactions must never show: a SUCCEEDED that was rolled back did not happen.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // A crashed instance's partitions move after 10 s instead of the default 45.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        return p;
    }
}
