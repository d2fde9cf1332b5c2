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

    private static String readString(byte[] json) {
        try {
            return Json.MAPPER.readValue(json, String.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
