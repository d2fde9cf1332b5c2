package dev.meshpipe.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.testsupport.Records;
import dev.meshpipe.testsupport.TestCluster;
import dev.meshpipe.testsupport.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash while Kafka Streams wipes a store (after an unclean stop, under exactly-once) can leave
 * RocksDB files it cannot open; seen in the poison test, where every restart then failed in
 * {@code KafkaStreams.start()}. The service must wipe its local state and restore it from the
 * changelog instead, so that a restart heals.
 */
class StreamsStateRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void ingestStartsAgainOverUnreadableLocalStateAndKeepsItsDedupe() throws Exception {
        try (TestCluster cluster = new TestCluster(1)) {
            MeshpipeConfig config = cluster.config(dir, "recovery", 3);
            FileObjectStore store = new FileObjectStore(dir.resolve("objects"));
            JobSubmission job = new JobSubmission(new InputRef.Synthetic("sphere:16:5"), null, null, Instant.now());

            IngestService first = new IngestService(config, store);
            first.start();
            awaitRunning(first);
            cluster.produce(Topics.SUBMITTED, "job-1", job);
            awaitTasks(cluster, "job-1", 1);
            first.close();

            // What the crash left: every store of ingest names a MANIFEST that is not there.
            List<Path> stores;
            try (Stream<Path> s = Files.walk(config.stateDir().resolve("ingest"))) {
                stores = s.filter(p -> p.getFileName().toString().equals("CURRENT")).toList();
            }
            assertTrue(!stores.isEmpty(), "ingest has RocksDB stores to corrupt");
            for (Path current : stores) {
                Files.writeString(current, "MANIFEST-999999\n");
            }

            IngestService second = new IngestService(config, store);
            second.start(); // used to throw ProcessorStateException, on every start
            try {
                awaitRunning(second);
                cluster.produce(Topics.SUBMITTED, "job-1", job); // a repeat: the restored store drops it
                cluster.produce(Topics.SUBMITTED, "job-2", job);
                awaitTasks(cluster, "job-2", 1);
                assertEquals(1, Records.countByKey(TopicReader.readAll(cluster.bootstrap(), Topics.TASKS), null).get("job-1"),
                        "job-1 ran once: its id came back with the changelog");
            } finally {
                second.close();
            }
        }
    }

    private static void awaitRunning(IngestService s) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (s.state() != KafkaStreams.State.RUNNING) {
            assertTrue(System.nanoTime() < end, "ingest did not reach RUNNING: " + s.state());
            Thread.sleep(100);
        }
    }

    private static void awaitTasks(TestCluster cluster, String id, int n) throws Exception {
        long end = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Map<String, Integer> tasks = Records.countByKey(TopicReader.readAll(cluster.bootstrap(), Topics.TASKS), null);
            if (tasks.getOrDefault(id, 0) >= n) {
                return;
            }
            assertTrue(System.nanoTime() < end, "no task for " + id + ": " + tasks);
            Thread.sleep(200);
        }
    }
}
