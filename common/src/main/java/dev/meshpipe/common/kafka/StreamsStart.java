package dev.meshpipe.common.kafka;

import java.time.Duration;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a Kafka Streams application whose local state may be left unreadable by a crash. */
public final class StreamsStart {
    private static final Logger log = LoggerFactory.getLogger(StreamsStart.class);

    private StreamsStart() {}

    /**
     * Starts {@code streams}, or, when its local stores cannot be opened, wipes them and starts a
     * fresh instance from {@code factory}; returns the instance that runs. Kafka Streams opens the
     * local stores as it starts. A crash while it was wiping one (as it does after any unclean stop
     * under exactly-once) leaves files it cannot open, and every later start would fail the same
     * way. The changelog holds the whole state, so the local copy can go.
     *
     * @param what names the state in the log line ("ingest's local state")
     */
    public static KafkaStreams wipingUnreadableState(KafkaStreams streams, Supplier<KafkaStreams> factory, String what) {
        try {
            streams.start();
            return streams;
        } catch (ProcessorStateException e) {
            log.warn("{} cannot be opened ({}); wiping it, to restore it from the changelog", what,
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            streams.close(Duration.ofSeconds(10));
            streams.cleanUp();
            KafkaStreams fresh = factory.get();
            fresh.start();
            return fresh;
        }
    }
}
