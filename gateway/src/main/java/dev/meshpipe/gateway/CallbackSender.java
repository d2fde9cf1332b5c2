package dev.meshpipe.gateway;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@link Topics#CALLBACKS} (committed records only) and POSTs each job's status to its
 * callbackUrl ({@link CallbackDelivery}). Deliveries run side by side, each retrying on its own
 * schedule, so one slow receiver does not hold back the others; a partition's offset is committed
 * only up to its first record not yet delivered or given up, so a crash redelivers the rest: at
 * least once. The gateway instances share one consumer group, so each record has one sender.
 */
final class CallbackSender implements AutoCloseable {
    static final String GROUP = "meshpipe-gateway-callbacks";
    /** Deliveries under way (retries included) above which the consumer stops fetching. */
    private static final int MAX_PENDING = 1000;
    private static final Logger log = LoggerFactory.getLogger(CallbackSender.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final CallbackDelivery.Sender http;
    private final ScheduledExecutorService workers = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "meshpipe-callback");
        t.setDaemon(true);
        return t;
    });
    /** Per partition, its deliveries by offset; touched by the poll thread only. */
    private final Map<TopicPartition, ConcurrentSkipListMap<Long, CallbackDelivery>> pending = new HashMap<>();
    private final Thread poller = new Thread(this::run, "meshpipe-callback-poll");
    private volatile boolean running = true;

    CallbackSender(MeshpipeConfig config, CallbackOptions options, MeterRegistry metrics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "meshpipe-callbacks-" + config.instanceId());
        // The fold's record commits with its transaction; an aborted one never happened.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.http = new CallbackDelivery.Sender(options, metrics, workers);
    }

    void start() {
        poller.setDaemon(true);
        poller.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.CALLBACKS), new Rebalance());
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    accept(r);
                }
                try {
                    commitFinished(pending.keySet());
                } catch (RetriableCommitFailedException | CommitFailedException | RebalanceInProgressException e) {
                    // A rebalance under way: the next poll settles it, and what was finished is committed then.
                    log.info("callback offsets not committed yet: {}", e.toString());
                }
                throttle();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("the callback sender stopped; undelivered callbacks are sent when the gateway restarts", e);
        } finally {
            try {
                commitFinished(pending.keySet());
            } catch (RuntimeException e) {
                log.debug("could not commit delivered callbacks while closing: {}", e.toString());
            }
            pending.values().forEach(m -> m.values().forEach(CallbackDelivery::cancel));
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        JobStatus status;
        try {
            status = Json.read(r.value(), JobStatus.class);
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("skipping an unreadable callback record at {}-{}: {}", tp, r.offset(), e.toString());
            status = null;
        }
        CallbackDelivery d = new CallbackDelivery(status, http);
        pending.computeIfAbsent(tp, k -> new ConcurrentSkipListMap<>()).put(r.offset(), d);
        d.start();
    }

    /** Commits, per partition, the offset of its first delivery still under way (or past its last). */
    private void commitFinished(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            ConcurrentSkipListMap<Long, CallbackDelivery> m = pending.get(tp);
            Long last = null;
            while (m != null && !m.isEmpty() && m.firstEntry().getValue().finished()) {
                last = m.pollFirstEntry().getKey();
            }
            if (last != null) {
                offsets.put(tp, new OffsetAndMetadata(last + 1));
            }
        }
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets);
        }
    }

    private void throttle() {
        int under = pending.values().stream().mapToInt(Map::size).sum();
        if (under >= MAX_PENDING) {
            consumer.pause(consumer.assignment());
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
    }

    /** A partition that moves away keeps what was delivered; the rest is its new owner's to send (again). */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commitFinished(partitions);
            drop(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) { }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions);
        }

        private void drop(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                ConcurrentSkipListMap<Long, CallbackDelivery> m = pending.remove(tp);
                if (m != null) {
                    m.values().forEach(CallbackDelivery::cancel);
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        if (!poller.isAlive() && poller.getState() == Thread.State.NEW) {
            consumer.close(Duration.ZERO);
        }
        consumer.wakeup();
        try {
            poller.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
