package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The demo drops the producer's routine retry warnings, as Kafka's logger hands them over, and only those. */
class LoggingTest {
    @Test
    void concurrentTransactionRetriesAreDroppedOtherWarningsKept() {
        Logging.ConcurrentTransactionRetries filter = new Logging.ConcurrentTransactionRetries();
        Logger sender = (Logger) LoggerFactory.getLogger("org.apache.kafka.clients.producer.internals.Sender");
        String retry = "[Producer clientId=p, transactionalId=t] Got error produce response with correlation id 15 on "
                + "topic-partition meshpipe.jobs.events-2, retrying (2147483646 attempts left). Error: CONCURRENT_TRANSACTIONS";
        assertEquals(FilterReply.DENY, filter.decide(null, sender, Level.WARN, retry, null, null));
        assertEquals(FilterReply.NEUTRAL, filter.decide(null, sender, Level.WARN, retry.replace("CONCURRENT_TRANSACTIONS", "NOT_LEADER_OR_FOLLOWER"), null, null));
        Logger other = (Logger) LoggerFactory.getLogger("dev.meshpipe.packager");
        assertEquals(FilterReply.NEUTRAL, filter.decide(null, other, Level.WARN, retry, null, null));
    }
}
