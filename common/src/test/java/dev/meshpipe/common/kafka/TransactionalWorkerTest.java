package dev.meshpipe.common.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.Json;
import dev.meshpipe.testsupport.KafkaTestCluster;
import dev.meshpipe.testsupport.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The worker on a real broker, where its handler throws something nobody foresaw: that job fails
 * (through giveUp, in the same transaction as its offset), the worker lives on, and the records
 * behind it on the same partition are handled. A dead worker thread would leave its partition
 * assigned and silent, and every job on it stuck.
 */
class TransactionalWorkerTest {
    @Test
    void anUnexpectedExceptionFailsThatJobAndTheWorkerGoesOn() throws Exception {
        try (KafkaTestCluster cluster = new KafkaTestCluster(1)) {
            Properties p = new Properties();
            p.put("bootstrap.servers", cluster.bootstrap());
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic("work", 1, (short) 1), new NewTopic("out", 1, (short) 1))).all().get();
            }
            TransactionalWorker.Handler handler = new TransactionalWorker.Handler() {
                @Override
                public void handle(ConsumerRecord<String, byte[]> rec, Outbox out) {
                    if (rec.key().equals("bad")) {
                        throw new IllegalStateException("a bug");
                    }
                    out.send("out", rec.key(), "done");
                }

                @Override
                public void giveUp(ConsumerRecord<String, byte[]> rec, Exception cause, Outbox out) {
                    out.send("out", rec.key(), "failed: " + cause.getClass().getSimpleName());
                }
            };
            TransactionalWorker worker = new TransactionalWorker(new TransactionalWorker.Settings(cluster.bootstrap(), "g", "work",
                    "worker-test-1", Duration.ofMinutes(1), 3, Duration.ofMillis(10)), handler);
            Thread t = new Thread(worker, "worker");
            t.start();
            try {
                for (String key : new String[] {"good-1", "bad", "good-2"}) {
                    cluster.produce("work", key, Json.bytes("job"));
                }
                Map<String, String> out = Map.of();
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (out.size() < 3 && System.nanoTime() < end) {
                    Thread.sleep(200);
                    out = TopicReader.readAll(cluster.bootstrap(), "out").stream()
                            .collect(Collectors.toMap(ConsumerRecord::key, r -> readString(r.value()), (a, b) -> a + " | " + b));
                }
                assertEquals(Map.of("good-1", "done", "bad", "failed: IllegalStateException", "good-2", "done"), out);
                assertTrue(t.isAlive(), "the worker thread died");
            } finally {
                worker.close();
                t.join(30_000);
            }
        }
    }

    /**
     * Quick records share transactions; a record that is not quick is handled only once those
     * before it committed, and committed before any after it is handled. Every record's output
     * is there exactly once, so the records a batch leaves behind are fetched again, not skipped.
     */
    @Test
    void quickRecordsShareATransactionAndOthersRunAlone() throws Exception {
        try (KafkaTestCluster cluster = new KafkaTestCluster(1)) {
            Properties p = new Properties();
            p.put("bootstrap.servers", cluster.bootstrap());
            try (Admin admin = Admin.create(p)) {
                admin.createTopics(List.of(new NewTopic("work", 1, (short) 1), new NewTopic("out", 1, (short) 1))).all().get();
            }
            List<String> keys = List.of("q-1", "q-2", "q-3", "slow", "q-4", "q-5");
            for (String key : keys) {
                cluster.produce("work", key, Json.bytes("job"));
            }
            java.util.concurrent.atomic.AtomicInteger committed = new java.util.concurrent.atomic.AtomicInteger();
            Map<String, Integer> committedBefore = new java.util.concurrent.ConcurrentHashMap<>();
            TransactionalWorker.Handler handler = new TransactionalWorker.Handler() {
                @Override
                public void handle(ConsumerRecord<String, byte[]> rec, Outbox out) {
                    committedBefore.putIfAbsent(rec.key(), committed.get());
                    out.send("out", rec.key(), "done");
                }

                @Override
                public void giveUp(ConsumerRecord<String, byte[]> rec, Exception cause, Outbox out) {
                    out.send("out", rec.key(), "failed");
                }

                @Override
                public void afterCommit(ConsumerRecord<String, byte[]> rec) {
                    committed.incrementAndGet();
                }

                @Override
                public boolean batchable(ConsumerRecord<String, byte[]> rec) {
                    return rec.key().startsWith("q-");
                }
            };
            TransactionalWorker worker = new TransactionalWorker(new TransactionalWorker.Settings(cluster.bootstrap(), "g", "work",
                    "worker-test-2", Duration.ofMinutes(1), 3, Duration.ofMillis(10)), handler);
            Thread t = new Thread(worker, "worker");
            t.start();
            try {
                List<String> out = List.of();
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (out.size() < keys.size() && System.nanoTime() < end) {
                    Thread.sleep(200);
                    out = TopicReader.readAll(cluster.bootstrap(), "out").stream().map(ConsumerRecord::key).collect(Collectors.toList());
                }
                Thread.sleep(500); // nothing more may come
                out = TopicReader.readAll(cluster.bootstrap(), "out").stream().map(ConsumerRecord::key).collect(Collectors.toList());
                assertEquals(keys, out);
                assertEquals(3, committedBefore.get("slow"), "the quick records before it committed first");
                assertEquals(4, committedBefore.get("q-4"), "it committed alone before the next was handled");
                assertEquals(0, committedBefore.get("q-1"));
            } finally {
                worker.close();
                t.join(30_000);
            }
        }
    }

    private static String readString(byte[] json) {
        try {
            return Json.MAPPER.readValue(json, String.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
