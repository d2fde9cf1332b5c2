package dev.meshpipe.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.common.events.JobTask;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.TestNifti;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestTopologyTest {
    @TempDir
    Path dir;
    FileObjectStore store;
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> submitted;
    TestOutputTopic<String, JobTask> tasks;
    TestOutputTopic<String, JobEvent> events;
    TestOutputTopic<String, byte[]> dlq;

    @BeforeEach
    void setUp() throws Exception {
        store = new FileObjectStore(dir.resolve("objects"));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "ingest-test");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        driver = new TopologyTestDriver(IngestTopology.build(new SubmissionValidator(store, VolumeLimits.defaults())), p);
        submitted = driver.createInputTopic(Topics.SUBMITTED, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        tasks = driver.createOutputTopic(Topics.TASKS, Serdes.String().deserializer(), JsonSerde.of(JobTask.class).deserializer());
        events = driver.createOutputTopic(Topics.EVENTS, Serdes.String().deserializer(), JsonSerde.of(JobEvent.class).deserializer());
        dlq = driver.createOutputTopic(Topics.DLQ, Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    void submit(String id, JobSubmission s) {
        submitted.pipeInput(id, Json.bytes(s));
    }

    @Test
    void aValidSubmissionBecomesATaskAndAQueuedEvent() {
        submit("job-1", new JobSubmission(new InputRef.Synthetic("sphere:32:10"), new JobParams("0", null, null, "ball"), "acme", Instant.now()));
        JobTask t = tasks.readValue();
        assertEquals("job-1", t.jobId());
        assertEquals("acme", t.tenant());
        JobEvent e = events.readValue();
        assertEquals(JobState.QUEUED, e.state());
        assertEquals("ball", e.name());
        assertTrue(dlq.isEmpty());
    }

    @Test
    void aCallbackUrlRidesOnTheQueuedOrFailedEventAndABadOneFailsTheJob() {
        JobParams hook = JobParams.defaults().withCallbackUrl("https://example.com/hook");
        submit("cb-1", new JobSubmission(new InputRef.Synthetic("sphere:32:10"), hook, null, Instant.now()));
        submit("cb-2", new JobSubmission(new InputRef.Synthetic("cube:32"), hook, null, Instant.now()));
        submit("cb-3", new JobSubmission(new InputRef.Synthetic("sphere:32:10"), JobParams.defaults().withCallbackUrl("ftp://x/"), null, null));
        JobEvent queued = events.readValue();
        assertEquals(JobState.QUEUED, queued.state());
        assertEquals("https://example.com/hook", queued.callbackUrl());
        JobEvent refused = events.readValue();
        assertEquals(JobState.FAILED, refused.state());
        assertEquals("https://example.com/hook", refused.callbackUrl(), "a job refused here is still called back");
        JobEvent bad = events.readValue();
        assertEquals(ErrorCode.INVALID_CALLBACK_URL, bad.error().code());
        assertEquals(null, bad.callbackUrl());
    }

    @Test
    void badParametersFailTheJobWithACode() {
        submit("job-2", new JobSubmission(new InputRef.Synthetic("sphere:32"), new JobParams("abc", null, null, null), null, null));
        submit("job-3", new JobSubmission(new InputRef.Synthetic("cube:32"), null, null, null));
        submit("job-4", new JobSubmission(new InputRef.Synthetic("sphere:100000"), null, null, null));
        assertEquals(ErrorCode.INVALID_PARAMETER, events.readValue().error().code());
        assertEquals(ErrorCode.INVALID_PARAMETER, events.readValue().error().code());
        JobEvent tooBig = events.readValue();
        assertEquals(JobState.FAILED, tooBig.state());
        assertTrue(tasks.isEmpty());
    }

    @Test
    void undecodableRecordsGoToTheDeadLetterTopicWithReasons() {
        submitted.pipeInput("job-5", "{not json".getBytes(StandardCharsets.UTF_8));
        submitted.pipeInput(new TestRecord<>(null, Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:8"), null, null, null))));
        submitted.pipeInput("../etc", Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:8"), null, null, null)));
        TestRecord<String, byte[]> bad = dlq.readRecord();
        assertEquals("INVALID_SUBMISSION", header(bad, Topics.HEADER_ERROR));
        assertEquals(Topics.SUBMITTED, header(bad, Topics.HEADER_SOURCE_TOPIC));
        assertEquals("0", header(bad, Topics.HEADER_SOURCE_OFFSET));
        assertEquals("INVALID_JOB_ID", header(dlq.readRecord(), Topics.HEADER_ERROR));
        assertEquals("INVALID_JOB_ID", header(dlq.readRecord(), Topics.HEADER_ERROR));
        // ...and the next good record still flows.
        submit("job-6", new JobSubmission(new InputRef.Synthetic("sphere:8"), null, null, null));
        assertEquals("job-6", tasks.readValue().jobId());
    }

    @Test
    void aRepeatedJobIdRunsOnce() {
        JobSubmission s = new JobSubmission(new InputRef.Synthetic("sphere:8"), null, null, null);
        submit("job-7", s);
        submit("job-7", s);
        assertEquals(1, tasks.readValuesToList().size());
    }

    /**
     * A submission from another tenant under an id already taken is not a retry: it must neither
     * run, nor touch the job that holds the id (no event), nor vanish: it goes to the dead-letter
     * topic with JOB_ID_TAKEN, and says nothing of the other job. The owner's own repeat is still
     * dropped quietly as a retry.
     */
    @Test
    void anotherTenantsSubmissionUnderATakenIdIsDeadLetteredAndTouchesNothing() {
        submit("shared-1", new JobSubmission(new InputRef.Synthetic("sphere:8"), null, "acme", null));
        assertEquals("acme", tasks.readValue().tenant());
        assertEquals(JobState.QUEUED, events.readValue().state());
        submit("shared-1", new JobSubmission(new InputRef.Synthetic("torus:8"), null, "globex", null));
        submit("shared-1", new JobSubmission(new InputRef.Synthetic("sphere:8"), null, "acme", null));
        assertTrue(tasks.isEmpty(), "nothing else runs under the id");
        assertTrue(events.isEmpty(), "the job holding the id hears nothing of it");
        TestRecord<String, byte[]> dead = dlq.readRecord();
        assertEquals("shared-1", dead.key());
        assertEquals("JOB_ID_TAKEN", header(dead, Topics.HEADER_ERROR));
        assertTrue(new String(dead.value(), StandardCharsets.UTF_8).contains("globex"), "the record dead-lettered is globex's own");
        assertTrue(!header(dead, Topics.HEADER_ERROR_MESSAGE).contains("acme"), header(dead, Topics.HEADER_ERROR_MESSAGE));
        assertTrue(dlq.isEmpty(), "acme's own repeat is a retry, dropped quietly");
    }

    /** The store's entries from before tenants were kept (a bare 8-byte time) still read, as the owner's. */
    @Test
    void seenEntriesReadBackAndOldOnesStillDedupe() {
        var serde = SeenJob.serde();
        SeenJob legacy = serde.deserializer().deserialize("t", Serdes.Long().serializer().serialize("t", 42L));
        assertEquals(42L, legacy.firstSeenMs());
        assertTrue(!legacy.ownedByAnother("globex"));
        for (SeenJob s : new SeenJob[] {SeenJob.of(7, "acme"), SeenJob.of(8, null), SeenJob.of(9, "")}) {
            assertEquals(s, serde.deserializer().deserialize("t", serde.serializer().serialize("t", s)));
        }
        assertTrue(SeenJob.of(7, null).ownedByAnother("acme"));
        assertTrue(!SeenJob.of(7, "acme").ownedByAnother("acme"));
    }

    @Test
    void jobIdsAreForgottenAfterTheDedupeWindowSoTheStoreStaysBounded() {
        driver.close();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "ingest-window-test");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-window").toString());
        driver = new TopologyTestDriver(IngestTopology.build(new SubmissionValidator(store, VolumeLimits.defaults()),
                java.time.Duration.ofHours(1)), p);
        submitted = driver.createInputTopic(Topics.SUBMITTED, Serdes.String().serializer(), Serdes.ByteArray().serializer());
        tasks = driver.createOutputTopic(Topics.TASKS, Serdes.String().deserializer(), JsonSerde.of(JobTask.class).deserializer());
        var seen = driver.<String, SeenJob>getKeyValueStore(IngestTopology.SEEN_STORE);
        JobSubmission s = new JobSubmission(new InputRef.Synthetic("sphere:32:10"), null, null, Instant.now());
        submit("early", s);
        driver.advanceWallClockTime(java.time.Duration.ofMinutes(40));
        submit("late", s);
        submit("early", s);
        assertEquals(2, tasks.readValuesToList().size(), "a repeat within the window is dropped");
        driver.advanceWallClockTime(java.time.Duration.ofMinutes(30)); // early is 70 min old, late 30
        assertEquals(null, seen.get("early"), "forgotten after the window");
        assertTrue(seen.get("late") != null, "still inside the window");
        submit("late", s);
        assertTrue(tasks.isEmpty(), "late is still remembered");
    }

    @Test
    void inlineInputsAreClaimCheckedIntoTheStore() throws Exception {
        byte[] nii = TestNifti.ball(16, 5);
        submit("job-8", new JobSubmission(new InputRef.Inline(nii, "ball.nii"), null, null, null));
        JobTask t = tasks.readValue();
        InputRef.StoredObject o = (InputRef.StoredObject) t.input();
        assertEquals("inputs/job-8/volume", o.object());
        assertEquals(nii.length, store.head(o.object()).orElseThrow().size());
    }

    @Test
    void storedInputsMustBeTheJobsOwnAndAValidVolume() throws Exception {
        store.put("inputs/job-9/volume", "garbage that is no volume".getBytes(StandardCharsets.UTF_8));
        submit("job-9", new JobSubmission(new InputRef.StoredObject("inputs/job-9/volume", null), null, null, null));
        submit("job-10", new JobSubmission(new InputRef.StoredObject("inputs/job-9/volume", null), null, null, null));
        submit("job-11", new JobSubmission(new InputRef.StoredObject("inputs/job-11/volume", null), null, null, null));
        assertEquals(ErrorCode.INVALID_VOLUME, events.readValue().error().code());
        assertEquals(ErrorCode.INVALID_SUBMISSION, events.readValue().error().code());
        assertEquals(ErrorCode.INPUT_NOT_FOUND, events.readValue().error().code());
    }

    private static String header(TestRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
