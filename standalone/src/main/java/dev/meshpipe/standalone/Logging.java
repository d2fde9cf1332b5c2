package dev.meshpipe.standalone;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels set from code, for commands whose own output is the point. */
final class Logging {
    /**
     * Kafka warnings that are routine in the demo's one-broker, temporary-directory stack and read as
     * failures to a newcomer: the broker racing its own creation of __transaction_state
     * (TOPIC_ALREADY_EXISTS), transactional producers retrying while an earlier transaction of
     * theirs completes (CONCURRENT_TRANSACTIONS), and Kafka Streams' advice against a state
     * directory under the OS temp directory, which is where the demo's throwaway data belongs.
     */
    private static final String[] ROUTINE_IN_THE_DEMO = {
        "org.apache.kafka.server.DefaultAutoTopicCreationManager",
        "org.apache.kafka.streams.processor.internals.StateDirectory",
        "org.apache.kafka.clients.producer.internals.TransactionManager",
    };

    private Logging() {}

    /** Only warnings and errors from the services, so the demo's own lines stay readable. */
    static void quiet() {
        ((Logger) LoggerFactory.getLogger("dev.meshpipe")).setLevel(Level.WARN);
        for (String name : ROUTINE_IN_THE_DEMO) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.ERROR);
        }
    }
}
