package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.gateway.CallbackOptions;
import dev.meshpipe.gateway.CallbackSignature;
import dev.meshpipe.gateway.GatewayOptions;
import dev.meshpipe.mesh.io.TestNifti;
import dev.meshpipe.testsupport.PipelineExtension;
import dev.meshpipe.testsupport.Problems;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Completion webhooks end to end (docs/api.md, "Completion webhooks"), through every entry point, to a loopback receiver. */
class CallbacksTest {
    static final byte[] SECRET = "callbacks-test-secret".getBytes(StandardCharsets.UTF_8);
    static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("cb", 3, GatewayOptions.defaults()
            .withCallbacks(CallbackOptions.defaults().withSecret(SECRET).withAllowPrivate(true)
                    .withRetries(4, Duration.ofMillis(200), Duration.ofSeconds(5))));

    static CallbackReceiver receiver;

    @BeforeAll
    static void receiver() throws Exception {
        receiver = new CallbackReceiver();
    }

    @AfterAll
    static void close() {
        receiver.close();
    }

    @Test
    void aSucceededJobIsPostedOnceSignedWithItsIdempotencyKey() throws Exception {
        String id = submitJson("/ok", Map.of("formats", List.of("stl")));
        CallbackReceiver.Received r = expectCallback("/ok", id, "SUCCEEDED");
        assertEquals("1", r.header("Meshpipe-attempt"));
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertTrue(body.path("triangles").asLong() > 0, body.toString());
        assertEquals("/jobs/" + id + "/download", body.path("download").asText());
        assertNull(receiver.next("/ok", Duration.ofSeconds(2)), "one delivery only");
    }

    @Test
    void aFailedJobIsPostedWithItsError() throws Exception {
        // A sphere is no label map: the processor fails it INVALID_VOLUME.
        String id = submitJson("/failed", Map.of("mode", "labels"));
        CallbackReceiver.Received r = expectCallback("/failed", id, "FAILED");
        assertEquals("INVALID_VOLUME", Json.MAPPER.readTree(r.body()).path("error").path("code").asText());
    }

    @Test
    void aReceiverThatFailsTwiceGetsThreeAttemptsWithTheSameKey() throws Exception {
        receiver.script("/flaky", 500, 503);
        String id = submitJson("/flaky", Map.of("formats", List.of("stl")));
        for (int attempt = 1; attempt <= 3; attempt++) {
            CallbackReceiver.Received r = receiver.next("/flaky", WAIT);
            assertNotNull(r, "attempt " + attempt);
            assertEquals(id + ":SUCCEEDED", r.header("Idempotency-key"));
            assertEquals(String.valueOf(attempt), r.header("Meshpipe-attempt"));
            assertTrue(CallbackSignature.verify(SECRET, r.header("Meshpipe-signature"), r.body(), Instant.now().getEpochSecond(), 300));
        }
        assertNull(receiver.next("/flaky", Duration.ofSeconds(2)), "delivered on the third");
    }

    @Test
    void anUploadAKafkaSubmissionAndTheCliDeliverToo() throws Exception {
        Path nii = pipeline.dir().resolve("ball.nii.gz");
        Files.write(nii, TestNifti.gzip(TestNifti.ball(16, 5)));
        GatewayClient.Answer upload = pipeline.client().upload(nii, Map.of("formats", "stl", "callbackUrl", receiver.url("/upload")));
        assertEquals(202, upload.status(), upload.body().toString());

        JobParams kafka = new JobParams(null, null, null, "kafka").withCallbackUrl(receiver.url("/kafka"));
        pipeline.cluster().produce(Topics.SUBMITTED, "cb-kafka-1",
                Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:24:8"), kafka, null, Instant.now())));

        MeshCommandTest.Run cli = MeshCommandTest.run("submit", "sphere:24:8", "--server", pipeline.base(), "--formats", "stl",
                "--callback-url", receiver.url("/cli"));
        assertEquals(0, cli.exit(), cli.err());

        expectCallback("/upload", upload.body().path("id").asText(), "SUCCEEDED");
        expectCallback("/kafka", "cb-kafka-1", "SUCCEEDED");
        expectCallback("/cli", cli.out().trim(), "SUCCEEDED");
    }

    @Test
    void aBadCallbackUrlIsRefusedAtEveryEdge() throws Exception {
        HttpResponse<String> json = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":{\"synthetic\":\"sphere:16\"},\"params\":{\"callbackUrl\":\"ftp://x/\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Problems.assertProblem(json, 400, "INVALID_CALLBACK_URL");
        HttpResponse<String> upload = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs?callbackUrl="
                        + URLEncoder.encode("http://u:p@example.com/", StandardCharsets.UTF_8)))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestNifti.ball(8, 3))).build(), HttpResponse.BodyHandlers.ofString());
        Problems.assertProblem(upload, 400, "INVALID_CALLBACK_URL");
        MeshCommandTest.Run cli = MeshCommandTest.run("submit", "sphere:16", "--server", pipeline.base(), "--callback-url", "nope");
        assertEquals(2, cli.exit());
        assertTrue(cli.err().contains("callbackUrl"), cli.err());
        // Inside: a Kafka submission with a bad one is FAILED with the code, as other parameters are.
        pipeline.cluster().produce(Topics.SUBMITTED, "cb-kafka-bad", Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:16"),
                JobParams.defaults().withCallbackUrl("gopher://x/"), null, Instant.now())));
        JsonNode s = pipeline.client().awaitFinished("cb-kafka-bad", WAIT);
        assertEquals("FAILED", s.path("state").asText());
        assertEquals("INVALID_CALLBACK_URL", s.path("error").path("code").asText());
    }

    private String submitJson(String path, Map<String, Object> params) throws Exception {
        Map<String, Object> p = new java.util.HashMap<>(params);
        p.put("callbackUrl", receiver.url(path));
        GatewayClient.Answer a = pipeline.client().submitJson(Map.of("input", Map.of("synthetic", "sphere:24:8"), "params", p));
        assertEquals(202, a.status(), a.body().toString());
        return a.body().path("id").asText();
    }

    /** The callback for {@code id} in {@code state}: its headers, a valid signature, and the job's status as body. */
    private static CallbackReceiver.Received expectCallback(String path, String id, String state) throws Exception {
        CallbackReceiver.Received r = receiver.next(path, WAIT);
        assertNotNull(r, "no callback at " + path);
        assertEquals("application/json", r.header("Content-type"));
        assertEquals("job." + state.toLowerCase(java.util.Locale.ROOT), r.header("Meshpipe-event"));
        assertEquals(id + ":" + state, r.header("Idempotency-key"));
        assertTrue(CallbackSignature.verify(SECRET, r.header("Meshpipe-signature"), r.body(), Instant.now().getEpochSecond(), 300),
                r.header("Meshpipe-signature"));
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertEquals(id, body.path("id").asText());
        assertEquals(state, body.path("state").asText());
        return r;
    }
}
