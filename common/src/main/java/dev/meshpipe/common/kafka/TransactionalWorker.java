package dev.meshpipe.common.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consume one record, handle it, and commit the handler's output records together with the
 * record's offset in one Kafka transaction. A crash before the commit leaves the offset where it
 * was, so the record is handled again; a crash after it leaves nothing to redo. Each record is
 * handled on its own (one record per poll), so a long job holds only its own partition.
 */
public final class TransactionalWorker implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionalWorker.class);

    /** Handles one record. Throws {@link RetryableException} for transient trouble such as storage. */
    public interface Handler {
        void handle(ConsumerRecord<String, byte[]> record, Outbox out) throws RetryableException;

        /**
         * Writes the job's failure: once retries are spent ({@code cause} a RetryableException),
         * or at once when handle threw anything else.
         */
        void giveUp(ConsumerRecord<String, byte[]> record, Exception cause, Outbox out);

        /** Called after the record's transaction committed, for clean-up that must not come sooner. */
        default void afterCommit(ConsumerRecord<String, byte[]> record) {}
    }

    /** A failure worth another try after a pause. */
    public static class RetryableException extends Exception {
        public RetryableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public record Settings(String bootstrapServers, String groupId, String topic, String transactionalId,
                           Duration maxPollInterval, int maxAttempts, Duration firstBackoff) {}

    private final Settings settings;
    private final Handler handler;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile KafkaConsumer<String, byte[]> consumer;

    public TransactionalWorker(Settings settings, Handler handler) {
        this.settings = settings;
        this.handler = handler;
    }

    @Override
    public void run() {
        while (running.get()) {
            try (KafkaConsumer<String, byte[]> c = newConsumer(); KafkaProducer<String, byte[]> p = newProducer()) {
                consumer = c;
                p.initTransactions();
                c.subscribe(List.of(settings.topic()));
                try {
                    loop(c, p);
                } finally {
                    if (!running.get()) {
                        leaveGroup(c);
                    }
                }
            } catch (WakeupException e) {
                if (running.get()) {
                    log.warn("{}: unexpected wakeup; restarting", settings.transactionalId());
                }
            } catch (KafkaException e) {
                // Fenced, rebalanced away or the broker went away: start over from the committed offsets.
                if (running.get()) {
                    log.warn("{}: {}; reconnecting", settings.transactionalId(), e.toString());
                    sleep(Duration.ofSeconds(1));
                }
            } catch (RuntimeException e) {
                // Anything else (the client in a state it did not expect, say): a dead thread would
                // leave its partitions assigned and silent, so start over as after a Kafka error.
                if (running.get()) {
                    log.error("{}: unexpected failure; reconnecting", settings.transactionalId(), e);
                    sleep(Duration.ofSeconds(1));
                }
            }
        }
    }

    /** A static member does not leave on close; on a deliberate stop it should, so others take its partitions at once. */
    private static void leaveGroup(KafkaConsumer<String, byte[]> c) {
        try {
            c.close(org.apache.kafka.clients.consumer.CloseOptions.groupMembershipOperation(
                    org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            // closing anyway; the session timeout covers a member that could not say goodbye
        }
    }

    private void loop(KafkaConsumer<String, byte[]> c, KafkaProducer<String, byte[]> p) {
        while (running.get()) {
            for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(500))) {
                Outbox out = handleWithRetries(rec);
                if (out == null) {
                    return; // shutting down mid-retry: the record stays uncommitted
                }
                p.beginTransaction();
                try {
                    for (ProducerRecord<String, byte[]> r : out.records()) {
                        p.send(r);
                    }
                    TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
                    p.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(rec.offset() + 1)), c.groupMetadata());
                    p.commitTransaction();
                } catch (KafkaException e) {
                    try {
                        p.abortTransaction();
                    } catch (KafkaException ignored) {
                        // The producer is unusable; the outer loop makes a new one.
                    }
                    throw e;
                }
                handler.afterCommit(rec);
            }
        }
    }

    private Outbox handleWithRetries(ConsumerRecord<String, byte[]> rec) {
        Duration backoff = settings.firstBackoff();
        for (int attempt = 1; ; attempt++) {
            Outbox out = new Outbox();
            try {
                handler.handle(rec, out);
                return out;
            } catch (RuntimeException e) {
                // A bug or an input nobody foresaw: the job fails with a code, rather than the
                // worker dying on it again at every delivery.
                log.error("{}: unexpected failure on {}; the job fails", settings.transactionalId(), rec.key(), e);
                Outbox failed = new Outbox();
                handler.giveUp(rec, e, failed);
                return failed;
            } catch (RetryableException e) {
                if (attempt >= settings.maxAttempts()) {
                    log.warn("{}: giving up on {} after {} attempts: {}", settings.transactionalId(), rec.key(), attempt, e.getMessage());
                    Outbox failed = new Outbox();
                    handler.giveUp(rec, e, failed);
                    return failed;
                }
                log.warn("{}: attempt {} for {} failed ({}); retrying in {} ms", settings.transactionalId(), attempt,
                        rec.key(), e.getMessage(), backoff.toMillis());
                if (!sleep(backoff)) {
                    return null;
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
            }
        }
    }

    private boolean sleep(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (running.get() && System.nanoTime() < end) {
            try {
                Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return running.get();
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.transactionalId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) settings.maxPollInterval().toMillis());
        // Heartbeats come from a background thread, so a long job never misses one; a crashed
        // worker's partitions move after 10 s instead of the default 45.
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        // Static membership: a worker restarted after a crash takes its old member's place at once.
        // Without it the group waits for the dead member to rejoin for up to max.poll.interval.ms
        // (30 min), unless its session happens to expire first.
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, settings.transactionalId());
        // An idle connection must outlive a long job, or a rebalance during one is slowed down.
        p.put(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, (int) settings.maxPollInterval().toMillis() + 60_000);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<String, byte[]> newProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void close() {
        running.set(false);
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
