package dev.meshpipe.standalone;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.gateway.GatewayOptions;
import dev.meshpipe.testsupport.PipelineExtension;
import dev.meshpipe.testsupport.TopicReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With tokens on: a job id is its owner's on every path (POST with a chosen id, Kafka
 * submissions), and a cancel racing the job's completion gets the answer the state machine
 * settles on. The races are played out in a forced order (markers and events written by the test
 * at the moment in question), not left to timing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenantIsolationTest {
    static final String ACME = "token-acme-tenant-isolation";
    static final String GLOBEX = "token-globex-tenant-isolation";
    static final String ACME_JOB = "acme-job-1";
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("tenants", 2,
            GatewayOptions.defaults().withLinkSecret("tenant-test".getBytes(StandardCharsets.UTF_8))
                    .withTokens(Map.of(ACME, "acme", GLOBEX, "globex")));
    JsonNode acmeDone;

    @BeforeAll
    void submitAcmesJob() throws Exception {
        HttpResponse<String> r = send("POST", "/jobs", ACME,
                "{\"id\":\"" + ACME_JOB + "\",\"input\":{\"synthetic\":\"sphere:16:5\"},\"params\":{\"name\":\"acme-secret-name\"}}");
        assertEquals(202, r.statusCode(), r.body());
        acmeDone = awaitState(ACME_JOB, ACME, "SUCCEEDED");
    }

    HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(pipeline.base() + path)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            r.header("Content-Type", "application/json");
        }
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return pipeline.http().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode awaitState(String id, String token, String state) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        String last = "";
        while (System.currentTimeMillis() < end) {
            HttpResponse<String> r = send("GET", "/jobs/" + id, token, null);
            last = r.body();
            if (r.statusCode() == 200 && Json.MAPPER.readTree(r.body()).path("state").asText().equals(state)) {
                return Json.MAPPER.readTree(r.body());
            }
            Thread.sleep(50);
        }
        throw new AssertionError(id + " did not reach " + state + ": " + last);
    }

    /**
     * The attack from issue 12: globex posts acme's job id. It gets exactly the refusal acme gets
     * for posting its own id again, with nothing of the job in it (no name, state, result or signed
     * link), and acme's job is untouched.
     */
    @Test
    void postingAnotherTenantsJobIdGetsTheOwnersOwnConflictAndNothingOfTheJob() throws Exception {
        String body = "{\"id\":\"" + ACME_JOB + "\",\"input\":{\"synthetic\":\"sphere:12:4\"}}";
        HttpResponse<String> globex = send("POST", "/jobs", GLOBEX, body);
        assertProblem(globex, 409, "JOB_ID_TAKEN");
        for (String secret : new String[] {"acme-secret-name", "SUCCEEDED", "sha256", "signature", "download", acmeDone.path("result").path("sha256").asText()}) {
            assertFalse(globex.body().contains(secret), "the refusal shows '" + secret + "': " + globex.body());
        }
        HttpResponse<String> acme = send("POST", "/jobs", ACME, body);
        assertEquals(Json.MAPPER.readTree(acme.body()), Json.MAPPER.readTree(globex.body()), "the owner gets the very same answer");
        assertEquals(acme.statusCode(), globex.statusCode());
        assertEquals(404, send("GET", "/jobs/" + ACME_JOB, GLOBEX, null).statusCode());
        JsonNode after = awaitState(ACME_JOB, ACME, "SUCCEEDED");
        assertEquals("acme-secret-name", after.path("name").asText());
        assertEquals(acmeDone.path("result"), after.path("result"));
        assertEquals(200, send("GET", "/jobs/" + ACME_JOB + "/download", ACME, null).statusCode());
    }

    /** A free id still makes the caller's own job, which the other tenant cannot see. */
    @Test
    void aFreeChosenIdMakesTheCallersOwnJob() throws Exception {
        HttpResponse<String> r = send("POST", "/jobs", GLOBEX, "{\"id\":\"globex-own-1\",\"input\":{\"synthetic\":\"sphere:12:4\"}}");
        assertEquals(202, r.statusCode(), r.body());
        assertEquals("globex-own-1", Json.MAPPER.readTree(r.body()).path("id").asText());
        assertEquals(200, send("GET", "/jobs/globex-own-1", GLOBEX, null).statusCode(), "read-your-writes");
        assertEquals(404, send("GET", "/jobs/globex-own-1", ACME, null).statusCode());
        awaitState("globex-own-1", GLOBEX, "SUCCEEDED");
    }

    /** Ids made from Idempotency-Keys (which include the tenant) cannot be named by hand, so no one can take another's in advance. */
    @Test
    void keyDerivedIdsCannotBeChosen() throws Exception {
        HttpResponse<String> r = send("POST", "/jobs", GLOBEX, "{\"id\":\"idem-0123abcd\",\"input\":{\"synthetic\":\"sphere:12:4\"}}");
        assertProblem(r, 400, "INVALID_JOB_ID");
    }

    /** A Kafka producer naming another tenant and acme's id: dead-lettered with JOB_ID_TAKEN; acme's job does not change. */
    @Test
    void aKafkaSubmissionUnderAnotherTenantsIdIsDeadLetteredAndChangesNothing() throws Exception {
        pipeline.cluster().produce(Topics.SUBMITTED, ACME_JOB, new JobSubmission(new InputRef.Synthetic("torus:12"), null, "globex", Instant.now()));
        long end = System.currentTimeMillis() + 60_000;
        ConsumerRecord<String, byte[]> dead = null;
        while (dead == null && System.currentTimeMillis() < end) {
            for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(pipeline.cluster().bootstrap(), Topics.DLQ)) {
                if (ACME_JOB.equals(r.key())) {
                    dead = r;
                }
            }
            Thread.sleep(200);
        }
        assertTrue(dead != null, "no dead letter for the second submission");
        assertEquals("JOB_ID_TAKEN", new String(dead.headers().lastHeader(Topics.HEADER_ERROR).value(), StandardCharsets.UTF_8));
        JsonNode after = awaitState(ACME_JOB, ACME, "SUCCEEDED");
        assertEquals(acmeDone.path("result"), after.path("result"));
        assertEquals(404, send("GET", "/jobs/" + ACME_JOB, GLOBEX, null).statusCode());
    }

    /**
     * Waits until the status store has folded every event written so far for {@code id}: a probe
     * job on the same partition of the events topic, written after them, shows up only then.
     */
    void awaitFoldPassed(String id) throws Exception {
        int partitions = 2;
        int target = partition(id, partitions);
        String probe = null;
        for (int i = 0; probe == null; i++) {
            if (partition("probe-" + id + "-" + i, partitions) == target) {
                probe = "probe-" + id + "-" + i;
            }
        }
        pipeline.cluster().produce(Topics.EVENTS, probe, JobEvent.of(probe, JobState.QUEUED, 0, "queued").withSubmission("acme", null, Instant.now()));
        awaitState(probe, ACME, "QUEUED");
    }

    static int partition(String key, int partitions) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** A job the test drives through its states itself, as the stages would. */
    void fakeJob(String id, JobState upTo) throws Exception {
        pipeline.cluster().produce(Topics.EVENTS, id, JobEvent.of(id, JobState.QUEUED, 0, "queued").withSubmission("acme", null, Instant.now()));
        pipeline.cluster().produce(Topics.EVENTS, id, JobEvent.of(id, upTo, 40, "compressing"));
        awaitState(id, ACME, upTo.name());
    }

    /**
     * Issue 12's case (b): the packager has decided to complete (its marker is down) when the
     * cancel arrives, and commits while the cancel waits. The cancel must not announce CANCELLED,
     * and answers 409 JOB_ALREADY_FINISHED with the state the job ended in.
     */
    @Test
    void aCancelArrivingAfterThePackagersDecisionLosesAndSaysSo() throws Exception {
        String id = "race-completed";
        fakeJob(id, JobState.PACKAGING);
        pipeline.store().put(ObjectKeys.completing(id), new byte[0]);
        CompletableFuture<HttpResponse<String>> cancel = CompletableFuture.supplyAsync(() -> {
            try {
                return send("DELETE", "/jobs/" + id, ACME, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long end = System.currentTimeMillis() + 20_000;
        while (pipeline.store().head(ObjectKeys.cancelled(id)).isEmpty() && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        // The packager's commit, while the cancel waits for the outcome.
        pipeline.cluster().produce(Topics.EVENTS, id, JobEvent.of(id, JobState.SUCCEEDED, 100, "done")
                .withResult(new JobResult(ObjectKeys.result(id), 1, "0".repeat(64), null)));
        HttpResponse<String> answer = cancel.get(30, TimeUnit.SECONDS);
        assertProblem(answer, 409, "JOB_ALREADY_FINISHED");
        assertEquals("SUCCEEDED", Json.MAPPER.readTree(answer.body()).path("state").asText());
        assertEquals("SUCCEEDED", awaitState(id, ACME, "SUCCEEDED").path("state").asText());
        for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(pipeline.cluster().bootstrap(), Topics.EVENTS)) {
            if (id.equals(r.key())) {
                assertTrue(Json.read(r.value(), JobEvent.class).state() != JobState.CANCELLED, "a CANCELLED event was written");
            }
        }
    }

    /**
     * The other order: the cancel comes before the packager's decision, so it wins at once (202,
     * CANCELLED), and a completion announced after it (a packager that did not look) changes
     * nothing: the download stays refused.
     */
    @Test
    void aCancelBeforeThePackagersDecisionWinsAndALateCompletionChangesNothing() throws Exception {
        String id = "race-cancelled";
        fakeJob(id, JobState.PACKAGING);
        HttpResponse<String> answer = send("DELETE", "/jobs/" + id, ACME, null);
        assertEquals(202, answer.statusCode(), answer.body());
        assertEquals("CANCELLED", Json.MAPPER.readTree(answer.body()).path("state").asText());
        pipeline.cluster().produce(Topics.EVENTS, id, JobEvent.of(id, JobState.SUCCEEDED, 100, "done")
                .withResult(new JobResult(ObjectKeys.result(id), 1, "0".repeat(64), null)));
        awaitFoldPassed(id);
        assertEquals("CANCELLED", awaitState(id, ACME, "CANCELLED").path("state").asText());
        assertProblem(send("GET", "/jobs/" + id + "/download", ACME, null), 500, "JOB_CANCELLED");
        assertProblem(send("DELETE", "/jobs/" + id, ACME, null), 409, "JOB_ALREADY_FINISHED");
    }

    /**
     * Issue 12's experiment through the whole pipeline: cancels sent while jobs finish, at three
     * moments (at once, mid-meshing, while packaging). Whatever the timing, the answer, the final
     * state, the completion topic and the store agree: 202 means CANCELLED, no completion record
     * and no ZIP; 409 means the state it names, with a completion record exactly when SUCCEEDED.
     * The timing varies from run to run; what is checked holds under every one.
     */
    @Test
    void cancelsRacingCompletionAgreeWithTheStatusTheCompletionTopicAndTheStore() throws Exception {
        int jobs = Integer.getInteger("meshpipe.cancel.races", 36);
        Map<String, HttpResponse<String>> answers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < jobs; i++) {
            HttpResponse<String> r = send("POST", "/jobs", ACME, "{\"input\":{\"synthetic\":\"sphere:" + (28 + i % 9) + ":9\"}}");
            assertEquals(202, r.statusCode(), r.body());
            String id = Json.MAPPER.readTree(r.body()).path("id").asText();
            long end = System.currentTimeMillis() + 60_000;
            while (i % 3 != 0 && System.currentTimeMillis() < end) {
                JsonNode st = Json.MAPPER.readTree(send("GET", "/jobs/" + id, ACME, null).body());
                String state = st.path("state").asText();
                if (!state.equals("QUEUED") && !state.equals("PROCESSING") || i % 3 == 1 && st.path("progress").asInt() >= 50) {
                    break;
                }
                Thread.sleep(2);
            }
            answers.put(id, send("DELETE", "/jobs/" + id, ACME, null));
        }
        // Every earlier task and meshed record is handled once a later job on each partition is.
        for (int p = 0; p < 2; p++) {
            String sentinel = null;
            for (int i = 0; sentinel == null; i++) {
                if (partition("sentinel-" + p + "-" + i, 2) == p) {
                    sentinel = "sentinel-" + p + "-" + i;
                }
            }
            assertEquals(202, send("POST", "/jobs", ACME, "{\"id\":\"" + sentinel + "\",\"input\":{\"synthetic\":\"sphere:12:4\"}}").statusCode());
            awaitState(sentinel, ACME, "SUCCEEDED");
        }
        java.util.Set<String> completed = new java.util.HashSet<>();
        for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(pipeline.cluster().bootstrap(), Topics.COMPLETED)) {
            assertTrue(completed.add(r.key()) || !answers.containsKey(r.key()), "two completions for " + r.key());
        }
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (Map.Entry<String, HttpResponse<String>> e : answers.entrySet()) {
            String id = e.getKey();
            HttpResponse<String> answer = e.getValue();
            String finalState = Json.MAPPER.readTree(send("GET", "/jobs/" + id, ACME, null).body()).path("state").asText();
            String answered = Json.MAPPER.readTree(answer.body()).path("state").asText();
            String where = id + ": answer " + answer.statusCode() + " " + answer.body() + ", final " + finalState;
            outcomes.merge(answer.statusCode() + " " + answered + " -> " + finalState, 1, Integer::sum);
            if (answer.statusCode() == 202 && answered.equals("CANCELLED") || answer.statusCode() == 409) {
                assertEquals(answered, finalState, where);
            } else {
                assertEquals(202, answer.statusCode(), where);
            }
            assertEquals(finalState.equals("SUCCEEDED"), completed.contains(id), "a completion record exactly for a SUCCEEDED job: " + where);
            assertEquals(finalState.equals("SUCCEEDED"), pipeline.store().head(ObjectKeys.result(id)).isPresent(), "a ZIP exactly for a SUCCEEDED job: " + where);
            assertTrue(finalState.equals("SUCCEEDED") || finalState.equals("CANCELLED"), where);
        }
        System.out.println("cancel races (answer and state it named -> final state): " + outcomes);
    }

    /** A finished job's cancel, through the whole pipeline: 409, and the result stays. */
    @Test
    void cancellingAFinishedJobIsRefusedAndTheResultStays() throws Exception {
        HttpResponse<String> r = send("DELETE", "/jobs/" + ACME_JOB, ACME, null);
        assertProblem(r, 409, "JOB_ALREADY_FINISHED");
        assertEquals(200, send("GET", "/jobs/" + ACME_JOB + "/download", ACME, null).statusCode());
        assertEquals(404, send("DELETE", "/jobs/" + ACME_JOB, GLOBEX, null).statusCode(), "another tenant's job looks missing");
    }
}
