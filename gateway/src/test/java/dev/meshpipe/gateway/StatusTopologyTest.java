package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusTopologyTest {
    @TempDir
    Path dir;
    TopologyTestDriver driver;
    final StatusCache cache = new StatusCache();
    TestInputTopic<String, byte[]> events;
    KeyValueStore<String, JobStatus> store;

    Properties props() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "status-test");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        return p;
    }

    @BeforeEach
    void setUp() {
        driver = new TopologyTestDriver(StatusTopology.build(Duration.ofMinutes(5), cache), props());
        events = driver.createInputTopic(Topics.EVENTS, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        store = driver.getKeyValueStore(StatusTopology.STORE);
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    void send(JobEvent e) {
        events.pipeInput(e.jobId(), Json.bytes(e));
    }

    @Test
    void aJobsMoveIntoATerminalStateWithACallbackIsForwardedOnce() {
        var callbacks = driver.createOutputTopic(Topics.CALLBACKS, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        send(JobEvent.of("j1", JobState.QUEUED, 0, "queued").withCallbackUrl("https://example.com/hook"));
        send(JobEvent.of("j1", JobState.PROCESSING, 60, "measuring"));
        assertEquals(0, callbacks.getQueueSize());
        send(JobEvent.of("j1", JobState.SUCCEEDED, 100, "done"));
        send(JobEvent.failed("j1", ErrorCode.MESHING_FAILED, "a duplicate worker", "meshing"));
        send(JobEvent.of("j1", JobState.SUCCEEDED, 100, "redelivered"));
        send(JobEvent.of("j1", JobState.EXPIRED, 100, "expired"));
        // Without a callback, or one that only arrives after the end (ingest's events carry it first), nothing.
        send(JobEvent.failed("j2", ErrorCode.INVALID_VOLUME, "bad", "validating"));
        send(JobEvent.of("j2", JobState.QUEUED, 0, "late queued").withCallbackUrl("https://example.com/late"));
        // A job whose first event is its end (ingest refused it) still calls back.
        send(JobEvent.failed("j3", ErrorCode.INPUT_NOT_FOUND, "gone", "validating").withCallbackUrl("https://example.com/j3"));
        var out = callbacks.readKeyValuesToList();
        assertEquals(2, out.size(), out.toString());
        assertEquals("j1", out.get(0).key);
        JobStatus s = status(out.get(0).value);
        assertEquals(JobState.SUCCEEDED, s.state());
        assertEquals("https://example.com/hook", s.callbackUrl());
        assertEquals("j3", out.get(1).key);
        assertEquals(JobState.FAILED, status(out.get(1).value).state());
    }

    private static JobStatus status(byte[] b) {
        return dev.meshpipe.common.JsonSerde.of(JobStatus.class).decode(b);
    }

    @Test
    void lateAndRepeatedEventsNeverMoveAJobBackwards() {
        send(JobEvent.of("j1", JobState.QUEUED, 0, "queued"));
        send(JobEvent.of("j1", JobState.PROCESSING, 60, "measuring"));
        send(JobEvent.of("j1", JobState.SUCCEEDED, 100, "done").withResult(new JobResult("results/j1.zip", 5, "ab", null)));
        send(JobEvent.of("j1", JobState.PROCESSING, 90, "late progress"));
        send(JobEvent.of("j1", JobState.QUEUED, 0, "redelivered"));
        send(JobEvent.failed("j1", ErrorCode.MESHING_FAILED, "a duplicate worker", "meshing"));
        JobStatus s = store.get("j1");
        assertEquals(JobState.SUCCEEDED, s.state());
        assertEquals("results/j1.zip", s.result().object());
        assertNull(s.error());
    }

    @Test
    void garbageAndForeignKeysAreSkippedAndTombstonesRemove() {
        events.pipeInput("j2", "not json".getBytes(StandardCharsets.UTF_8));
        events.pipeInput("../x", Json.bytes(JobEvent.of("../x", JobState.QUEUED, 0, "q")));
        events.pipeInput("j3", Json.bytes(JobEvent.of("another-id", JobState.QUEUED, 0, "q")));
        assertNull(store.get("j2"));
        assertNull(store.get("j3"));
        send(JobEvent.of("j4", JobState.QUEUED, 0, "queued"));
        assertNotNull(store.get("j4"));
        events.pipeInput("j4", (byte[]) null);
        assertNull(store.get("j4"));
    }

    @Test
    void finishedJobsAreRemovedAfterTheStatusRetention() {
        send(JobEvent.of("done", JobState.SUCCEEDED, 100, "done"));
        send(JobEvent.of("running", JobState.PROCESSING, 10, "extracting"));
        driver.advanceWallClockTime(Duration.ofMinutes(4));
        assertNotNull(store.get("done"));
        driver.advanceWallClockTime(Duration.ofMinutes(2));
        assertNull(store.get("done"));
        assertNotNull(store.get("running"), "unfinished jobs stay");
    }

    @Test
    void theCacheFollowsTheStoreThroughUpdatesTombstonesAndPurges() {
        // TopologyTestDriver runs one task, partition 0.
        send(JobEvent.of("c1", JobState.QUEUED, 0, "queued"));
        send(JobEvent.of("c2", JobState.QUEUED, 0, "queued"));
        assertSameAsStore("c1", "c2");
        assertNotNull(cache.get(0, "c1"), "a status the fold wrote is cached");
        send(JobEvent.of("c1", JobState.PROCESSING, 40, "extracting"));
        send(JobEvent.of("c1", JobState.SUCCEEDED, 100, "done"));
        send(JobEvent.of("c1", JobState.PROCESSING, 90, "late"));
        assertSameAsStore("c1", "c2");
        assertEquals(JobState.SUCCEEDED, cache.get(0, "c1").state());
        events.pipeInput("c2", (byte[]) null);
        assertSameAsStore("c1", "c2");
        assertNull(cache.get(0, "c2"), "a tombstone removes the cached status");
        driver.advanceWallClockTime(Duration.ofMinutes(6));
        assertNull(store.get("c1"));
        assertNull(cache.get(0, "c1"), "a purged status leaves the cache too");
        send(JobEvent.of("c3", JobState.QUEUED, 0, "queued"));
        driver.close();
        assertNull(cache.get(0, "c3"), "a closed task's statuses are forgotten");
        driver = new TopologyTestDriver(StatusTopology.build(Duration.ofMinutes(5), cache), props());
    }

    @Test
    void theTenantIndexFollowsPutsLateSubmissionTimesTombstonesAndPurges() {
        KeyValueStore<String, String> index = driver.getKeyValueStore(JobListing.STORE);
        Instant t = Instant.parse("2026-03-01T10:00:00Z");
        send(JobEvent.of("x1", JobState.QUEUED, 0, "queued").withSubmission("acme", null, t));
        send(JobEvent.of("x2", JobState.QUEUED, 0, "queued").withSubmission("other", null, t.plusSeconds(1)));
        send(JobEvent.of("x3", JobState.QUEUED, 0, "queued").withSubmission("acme", null, t.plusSeconds(2)));
        assertEquals(List.of("x3", "x1"), scope(index, JobListing.scopeOf("acme")), "one tenant's, newest first");
        assertEquals(List.of("x3", "x2", "x1"), scope(index, JobListing.ALL));
        send(JobEvent.of("x1", JobState.PROCESSING, 20, "extracting"));
        assertEquals("PROCESSING", index.get(JobListing.key(JobListing.scopeOf("acme"), t.toEpochMilli(), "x1")), "the state follows");

        // An event without tenant or submission time (ingest's, first) is indexed by its time, then moved.
        Instant first = Instant.now();
        events.pipeInput("x4", Json.bytes(JobEvent.of("x4", JobState.QUEUED, 0, "queued")));
        assertEquals(List.of("x4"), scope(index, JobListing.scopeOf(null)));
        send(JobEvent.of("x4", JobState.PROCESSING, 5, "reading").withSubmission("acme", null, t.plusSeconds(3)));
        assertEquals(List.of(), scope(index, JobListing.scopeOf(null)), "the old entry left with the old key");
        assertEquals(List.of("x4", "x3", "x1"), scope(index, JobListing.scopeOf("acme")));
        assertEquals(4, scope(index, JobListing.ALL).size(), "once under every job: " + first);

        events.pipeInput("x3", (byte[]) null);
        assertEquals(List.of("x4", "x1"), scope(index, JobListing.scopeOf("acme")), "a tombstone removes the entries");
        send(JobEvent.of("x1", JobState.SUCCEEDED, 100, "done"));
        driver.advanceWallClockTime(Duration.ofMinutes(6));
        assertNull(store.get("x1"));
        assertEquals(List.of("x4"), scope(index, JobListing.scopeOf("acme")), "a purge removes the entries");
        assertEquals(List.of("x4", "x2"), scope(index, JobListing.ALL));
    }

    @Test
    void statusesFoldedBeforeTheIndexExistedAreIndexedOnce() {
        send(JobEvent.of("old1", JobState.QUEUED, 0, "queued").withSubmission("acme", null, Instant.parse("2026-01-01T00:00:00Z")));
        KeyValueStore<String, String> index = driver.getKeyValueStore(JobListing.STORE);
        List<String> keys = new java.util.ArrayList<>();
        try (var it = index.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(index::delete); // as an older gateway's state would be: statuses, no index
        driver.advanceWallClockTime(Duration.ofSeconds(61));
        assertEquals(List.of("old1"), scope(index, JobListing.scopeOf("acme")));
    }

    /** The ids a range scan of one scope gives, in key order. */
    private static List<String> scope(KeyValueStore<String, String> index, String scope) {
        JobListing.Query q = new JobListing.Query(scope, null, java.util.Set.of(), 100);
        List<String> ids = new java.util.ArrayList<>();
        try (var it = index.range(JobListing.from(q), JobListing.to(q))) {
            it.forEachRemaining(kv -> ids.add(JobListing.positionOf(kv.key).id()));
        }
        return ids;
    }

    /** The cache may lack a key the store has, but never disagrees with it. */
    private void assertSameAsStore(String... ids) {
        for (String id : ids) {
            JobStatus cached = cache.get(0, id);
            if (cached != null) {
                assertEquals(store.get(id), cached, id);
            }
        }
    }
}
