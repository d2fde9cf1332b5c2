package dev.meshpipe.standalone;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Arrays;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/** Log levels set from code, for commands whose own output is the point. */
final class Logging {
    /**
     * Kafka warnings that are routine in the demo's one-broker, temporary-directory stack and read as
     * failures to a newcomer: the broker racing its own creation of __transaction_state
     * (TOPIC_ALREADY_EXISTS), and Kafka Streams' advice against a state directory under the OS
     * temp directory, which is where the demo's throwaway data belongs.
     */
    private static final String[] ROUTINE_IN_THE_DEMO = {
        "org.apache.kafka.server.DefaultAutoTopicCreationManager",
        "org.apache.kafka.streams.processor.internals.StateDirectory",
    };

    private Logging() {}

    /** Only warnings and errors from the services, so the demo's own lines stay readable. */
    static void quiet() {
        ((Logger) LoggerFactory.getLogger("dev.meshpipe")).setLevel(Level.WARN);
        for (String name : ROUTINE_IN_THE_DEMO) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.ERROR);
        }
        ((LoggerContext) LoggerFactory.getILoggerFactory()).addTurboFilter(new ConcurrentTransactionRetries());
    }

    /**
     * Drops the producer's "retrying ... CONCURRENT_TRANSACTIONS" warnings: a transactional
     * producer's first write after a commit can meet the coordinator still finishing that commit,
     * and the producer retries until it has. Its other warnings still show.
     */
    static final class ConcurrentTransactionRetries extends TurboFilter {
        private static final String CODE = "CONCURRENT_TRANSACTIONS";

        @Override
        public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
            // Kafka's own logger formats the message before logback sees it; params are checked too.
            boolean retry = logger.getName().equals("org.apache.kafka.clients.producer.internals.Sender")
                    && (format != null && format.contains(CODE)
                        || params != null && Arrays.stream(params).anyMatch(p -> CODE.equals(String.valueOf(p))));
            return retry ? FilterReply.DENY : FilterReply.NEUTRAL;
        }
    }
}
