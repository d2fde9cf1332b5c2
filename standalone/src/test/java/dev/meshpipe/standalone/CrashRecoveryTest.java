package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.testsupport.KafkaDiagnosis;
import dev.meshpipe.testsupport.Records;
import dev.meshpipe.testsupport.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Crashes on purpose, with real processes ({@link ChildStack}):
 * <ul>
 *   <li>{@code kill -9} of the whole standalone process (broker, ingest, processor, packager,
 *       gateway) with jobs in flight, then a restart on the same data directory: every job ends
 *       SUCCEEDED exactly once (one ZIP, one committed completion record, one committed SUCCEEDED
 *       event), with no manual step. {@code -Dmeshpipe.crash.jobs=N} (default 200).</li>
 *   <li>A job that halts its worker on every delivery: after three deliveries it is FAILED
 *       {@code WORKER_CRASHED} and its task is on the dead-letter topic, while the jobs around it,
 *       interrupted by the same crashes, complete once each.</li>
 * </ul>
 * Each prints a {@code RELIABILITY} line with its figures (docs/reliability.md).
 */
class CrashRecoveryTest {
    static final int JOBS = Integer.getInteger("meshpipe.crash.jobs", 200);

    @Test
    void killMinus9WithJobsInFlightThenRestart() throws Exception {
        Path dir = cleanDir("target/kill9-test"); // logs kept, to look at after a failure
        Path data = dir.resolve("data");
        int port = ChildStack.freePort();
        ChildStack up = ChildStack.start(data, port, dir.resolve("up-1.log"), Map.of());
        ChildStack again = null;
        try {
            long t0 = System.nanoTime();
            up.submit("crash", JOBS, "sphere:12:4");
            int doneAtKill = up.awaitCompleted(Math.max(1, JOBS / 8), 120);
            up.process().destroyForcibly().waitFor(); // SIGKILL: no shutdown hooks, nothing flushed
            long killedAt = System.nanoTime();
            again = ChildStack.start(data, port, dir.resolve("up-2.log"), Map.of());
            int done = again.awaitCompleted(JOBS, 300);
            if (done < JOBS) {
                explainStall(again);
            }
            double recovery = (System.nanoTime() - killedAt) / 1e9;

            Map<String, Integer> completions = Records.countByKey(TopicReader.readAll(again.bootstrap(), Topics.COMPLETED), null);
            Map<String, Integer> succeeded = Records.countByKey(TopicReader.readAll(again.bootstrap(), Topics.EVENTS), "SUCCEEDED");
            long zips = ChildStack.zips(data.resolve("objects"));
            long duplicated = completions.values().stream().filter(n -> n > 1).count()
                    + succeeded.values().stream().filter(n -> n > 1).count();
            System.out.printf("RELIABILITY kill-9: %d jobs, %d completed before kill -9, %d in flight; all done %.1f s after the kill"
                            + " (restart included); completion records %d, SUCCEEDED events %d, ZIPs %d, lost %d, duplicated %d; total %.1f s%n",
                    JOBS, doneAtKill, JOBS - doneAtKill, recovery, completions.size(), succeeded.size(), zips,
                    JOBS - completions.size(), duplicated, (System.nanoTime() - t0) / 1e9);
            assertEquals(JOBS, done);
            assertEquals(JOBS, completions.size(), "jobs with a completion record");
            assertTrue(completions.values().stream().allMatch(n -> n == 1), "a job completed twice: " + completions);
            assertEquals(JOBS, succeeded.size(), "jobs with a SUCCEEDED event");
            assertTrue(succeeded.values().stream().allMatch(n -> n == 1), "a job succeeded twice: " + succeeded);
            assertEquals(JOBS, zips);
        } finally {
            stop(up);
            stop(again);
        }
    }

    @Test
    void aJobThatCrashesItsWorkerEveryTimeIsFailedAfterThreeDeliveries() throws Exception {
        Path dir = cleanDir("target/poison-test"); // logs kept, to look at after a failure
        Path data = dir.resolve("data");
        int port = ChildStack.freePort();
        Map<String, String> env = Map.of("MESHPIPE_FAULT_HALT_ON", "sphere:13:5");
        int others = 20;
        ChildStack up = ChildStack.start(data, port, dir.resolve("poison-0.log"), env);
        int crashes = 0;
        long t0 = System.nanoTime();
        try {
            up.submit("before", others / 2, "sphere:12:4");
            up.submit("poison", 1, "sphere:13:5");
            up.submit("after", others / 2, "sphere:12:4");
            // Supervise as systemd or Kubernetes would: start it again whenever it dies.
            for (int run = 1; run <= 8; run++) {
                ChildStack current = up;
                boolean settled = current.await(180, () -> poisonFailure(current) != null && current.awaitCompleted(others, 1) >= others);
                if (settled) {
                    break;
                }
                if (current.process().isAlive()) { // neither done nor dead: a hang; show why before the assertions fail
                    explainStall(current);
                    break;
                }
                crashes++;
                ChildStack next;
                Path log = dir.resolve("poison-" + run + ".log");
                while ((next = ChildStack.tryStart(data, port, log, env)) == null) {
                    crashes++; // it died again while starting
                    // A start that fails every time would loop here for ever; say why instead.
                    assertTrue(crashes <= 10, "meshpipe up keeps dying while it starts; its last log:\n" + Files.readString(log));
                }
                up = next;
            }
            Map<String, Integer> completions = Records.countByKey(TopicReader.readAll(up.bootstrap(), Topics.COMPLETED), null);
            Map<String, Integer> failed = Records.countByKey(TopicReader.readAll(up.bootstrap(), Topics.EVENTS), "FAILED");
            String failedCode = poisonFailure(up);
            long dlq = TopicReader.readAll(up.bootstrap(), Topics.DLQ).stream().filter(r -> r.key().equals("poison-000")).count();
            System.out.printf("RELIABILITY poison: 1 job that halts its worker, %d others; %d crashes and restarts;"
                            + " poison FAILED %s, %d dead-letter record(s); others completed %d (each once: %b); %.1f s%n",
                    others, crashes, failedCode, dlq, completions.size(), completions.values().stream().allMatch(n -> n == 1),
                    (System.nanoTime() - t0) / 1e9);
            assertEquals(3, crashes, "the worker should die on each of the first three deliveries, and no more");
            assertEquals("WORKER_CRASHED", failedCode);
            assertEquals(1, failed.getOrDefault("poison-000", 0));
            assertEquals(1, dlq);
            assertEquals(others, completions.size());
            assertTrue(completions.values().stream().allMatch(n -> n == 1), "a job completed twice: " + completions);
            assertEquals(others, ChildStack.zips(data.resolve("objects")));
        } finally {
            stop(up);
        }
    }

    private static Path cleanDir(String name) throws java.io.IOException {
        Path dir = Files.createDirectories(Path.of(name));
        try (Stream<Path> old = Files.walk(dir)) {
            old.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
        }
        return dir;
    }

    /** A stall is the hardest failure to explain after the fact: print the broker's view and the log's end. */
    private static void explainStall(ChildStack s) throws Exception {
        System.out.println("crash test: no progress; " + KafkaDiagnosis.of(s.bootstrap(), Topics.ALL));
        List<String> lines = Files.readAllLines(s.log());
        System.out.println("last lines of " + s.log() + ":");
        lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
    }

    /** The error code of the poison job's FAILED event, or null while it has none. */
    private static String poisonFailure(ChildStack s) throws Exception {
        for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(s.bootstrap(), Topics.EVENTS)) {
            com.fasterxml.jackson.databind.JsonNode e = Json.MAPPER.readTree(r.value());
            if (r.key().equals("poison-000") && "FAILED".equals(e.path("state").asText())) {
                return e.path("error").path("code").asText();
            }
        }
        return null;
    }

    private static void stop(ChildStack s) throws InterruptedException {
        if (s != null && s.process().isAlive()) {
            s.process().destroy();
            if (!s.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                s.process().destroyForcibly();
            }
        }
    }
}
