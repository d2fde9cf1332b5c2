package dev.meshpipe.standalone;

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
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-broker KRaft cluster (replication 3, min.insync.replicas 2, three separate controllers)
 * loses a broker in the middle of a load of jobs: nothing is lost or doubled, and the pipeline
 * carries on with two.
 */
class BrokerFailureTest {
    static final int JOBS = Integer.getInteger("meshpipe.brokers.jobs", 60);

    @TempDir
    Path dir;

    @Test
    void oneOfThreeBrokersStopsDuringALoadOfJobs() throws Exception {
        try (TestCluster cluster = new TestCluster(3, 2, false)) {
            MeshpipeConfig config = cluster.config(dir, "b3", 6, (short) 3);
            try (Pipeline pipeline = Pipeline.start(config, new FileObjectStore(dir.resolve("objects")))) {
                pipeline.awaitReady(90_000);
                long t0 = System.nanoTime();
                for (int i = 0; i < JOBS; i++) {
                    cluster.produce(Topics.SUBMITTED, String.format("load-%03d", i),
                            new JobSubmission(new InputRef.Synthetic("sphere:12:4"), null, null, Instant.now()));
                }
                int before = awaitCompleted(cluster, JOBS / 6, 120);
                int stopped = cluster.kit.brokers().keySet().iterator().next();
                cluster.kit.brokers().get(stopped).shutdown();
                long stoppedAt = System.nanoTime();
                int done = awaitCompleted(cluster, JOBS, 240);
                Map<String, Integer> completions = Records.countByKey(TopicReader.readAll(cluster.bootstrap(), Topics.COMPLETED), null);
                Map<String, Integer> succeeded = Records.countByKey(TopicReader.readAll(cluster.bootstrap(), Topics.EVENTS), "SUCCEEDED");
                long zips = ChildStack.zips(dir.resolve("objects"));
                System.out.printf("RELIABILITY broker: 3 brokers (RF 3, min ISR 2), %d jobs; broker %d stopped after %d completed;"
                                + " all done %.1f s later; completion records %d, SUCCEEDED events %d, ZIPs %d, lost %d, duplicated %d; total %.1f s%n",
                        JOBS, stopped, before, (System.nanoTime() - stoppedAt) / 1e9, completions.size(), succeeded.size(), zips,
                        JOBS - completions.size(), completions.values().stream().filter(n -> n > 1).count(), (System.nanoTime() - t0) / 1e9);
                assertEquals(JOBS, done);
                assertEquals(JOBS, completions.size());
                assertTrue(completions.values().stream().allMatch(n -> n == 1), completions.toString());
                assertTrue(succeeded.values().stream().allMatch(n -> n == 1), succeeded.toString());
                assertEquals(JOBS, zips);
            }
        }
    }

    private static int awaitCompleted(TestCluster cluster, int n, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int done = ChildStack.completed(cluster.bootstrap());
        while (done < n && System.nanoTime() < end) {
            Thread.sleep(250);
            done = ChildStack.completed(cluster.bootstrap());
        }
        return done;
    }
}
