package dev.meshpipe.standalone;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.gateway.GatewayOptions;
import dev.meshpipe.gateway.GatewayService;
import dev.meshpipe.testsupport.PipelineExtension;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /jobs/{id}/events} against a real broker, tokens on, two gateway instances: a job
 * followed on the instance that does not own its status partition, and the CLI's client on it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusEventsPipelineTest {
    static final byte[] SECRET = "events-test-secret".getBytes(StandardCharsets.UTF_8);
    static final String ACME = "token-acme-events";
    static final String GLOBEX = "token-globex-events";
    static final GatewayOptions OPTIONS = GatewayOptions.defaults().withLinkSecret(SECRET).withTokens(Map.of(ACME, "acme", GLOBEX, "globex"));
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("events", 4, OPTIONS);
    GatewayService second;
    String a;
    String b;

    @BeforeAll
    void startSecondGateway() throws Exception {
        second = GatewayTest.startAnother(pipeline, "events-b", OPTIONS);
        a = pipeline.base();
        b = "http://localhost:" + second.port();
    }

    @AfterAll
    void stopSecondGateway() {
        if (second != null) {
            second.close();
        }
    }

    /** An id whose status partition {@code notOwner} does not own: its own store cannot answer (503), the other's can (404). */
    String idNotOwnedBy(String notOwner, String owner, String prefix) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < end) {
            for (int i = 0; i < 16; i++) {
                String id = prefix + i;
                if (internal(notOwner, id) == 503 && internal(owner, id) == 404) {
                    return id;
                }
            }
            Thread.sleep(200); // still rebalancing after the second instance joined
        }
        throw new AssertionError("no id owned by " + owner + " alone");
    }

    int internal(String base, String id) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        String signature = HexFormat.of().formatHex(mac.doFinal(("internal:" + id).getBytes(StandardCharsets.UTF_8)));
        return pipeline.http().send(HttpRequest.newBuilder(URI.create(base + "/internal/status/" + id))
                .header("X-Meshpipe-Internal-Signature", signature).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    void submit(String base, String id, String token) throws Exception {
        submit(base, id, token, "sphere:24:8");
    }

    void submit(String base, String id, String token, String synthetic) throws Exception {
        HttpResponse<String> r;
        long end = System.currentTimeMillis() + 60_000;
        do {
            // 503 STATUS_UNAVAILABLE while the second instance's tasks settle: retry, as a client should.
            r = pipeline.http().send(HttpRequest.newBuilder(URI.create(base + "/jobs"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"input\":{\"synthetic\":\"" + synthetic + "\"}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 503) {
                Thread.sleep(200);
            }
        } while (r.statusCode() == 503 && System.currentTimeMillis() < end);
        assertEquals(202, r.statusCode(), r.body());
    }

    <T> HttpResponse<T> events(String base, String id, String token, HttpResponse.BodyHandler<T> body) throws Exception {
        return pipeline.http().send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + id + "/events"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(), body);
    }

    @Test
    void theInstanceThatDoesNotOwnTheJobStreamsItToTheEndAndAnotherTenantGets404() throws Exception {
        String id = idNotOwnedBy(a, b, "events-a-");
        // A job of about a second (a 24-voxel sphere ended before the stream opened on a quiet
        // machine), so the stream opened right after the submission sees it change state.
        submit(a, id, ACME, "sphere:160:60");
        HttpResponse<Stream<String>> r = events(a, id, ACME, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> states = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        // The lines run out when the server ends the stream, after the terminal event.
        try (Stream<String> lines = r.body()) {
            for (String l : (Iterable<String>) lines::iterator) {
                if (l.startsWith("data: ")) {
                    states.add(Json.MAPPER.readTree(l.substring(6)).path("state").asText());
                } else if (l.startsWith("id: ")) {
                    ids.add(l.substring(4));
                }
            }
        }
        assertEquals("SUCCEEDED", states.get(states.size() - 1), states.toString());
        assertTrue(states.size() >= 2 && !states.get(0).equals("SUCCEEDED"), "followed, not only the end: " + states);
        List<String> order = List.of("QUEUED", "PROCESSING", "PACKAGING", "SUCCEEDED");
        for (int i = 1; i < states.size(); i++) {
            assertTrue(order.indexOf(states.get(i)) >= order.indexOf(states.get(i - 1)), states.toString());
        }
        assertEquals(states.size(), ids.size());

        assertProblem(events(a, id, GLOBEX, HttpResponse.BodyHandlers.ofString()), 404, "JOB_NOT_FOUND");
        assertProblem(events(b, id, GLOBEX, HttpResponse.BodyHandlers.ofString()), 404, "JOB_NOT_FOUND");
        assertProblem(events(a, "no-such-events-job", ACME, HttpResponse.BodyHandlers.ofString()), 404, "JOB_NOT_FOUND");
    }

    @Test
    void theCliClientFollowsTheStreamOnEitherInstance() throws Exception {
        String id = idNotOwnedBy(b, a, "events-b-");
        submit(b, id, ACME);
        List<String> seen = new CopyOnWriteArrayList<>();
        JsonNode done = new GatewayClient(b, ACME).awaitFinished(id, Duration.ofSeconds(120), s -> seen.add(s.path("state").asText()));
        assertEquals("SUCCEEDED", done.path("state").asText());
        // A tiny job may be done before the client opens its stream: then the one status it sees
        // is the last (the states in order are checked by the test above).
        assertFalse(seen.isEmpty(), seen.toString());
        assertEquals("SUCCEEDED", seen.get(seen.size() - 1), seen.toString());

        // Through the stream itself: the status and its event id, then no more once it has ended.
        JobEvents.Followed f = new JobEvents.Followed();
        HttpRequest req = HttpRequest.newBuilder(URI.create(a + "/jobs/" + id + "/events")).header("Authorization", "Bearer " + ACME).build();
        assertEquals(200, JobEvents.follow(pipeline.http(), req, System.nanoTime() + 30_000_000_000L, f, s -> { }));
        assertEquals("SUCCEEDED", f.last.path("state").asText());
        assertNotNull(f.lastEventId);
        HttpRequest resumed = HttpRequest.newBuilder(req.uri()).header("Authorization", "Bearer " + ACME).header("Last-Event-ID", f.lastEventId).build();
        assertEquals(204, pipeline.http().send(resumed, HttpResponse.BodyHandlers.discarding()).statusCode());

        // submit --wait through the CLI, on the instance that does not own the job.
        MeshCommandTest.Run run = MeshCommandTest.run("submit", "sphere:20:6", "--server", b, "--token", ACME, "--wait");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.err().contains("SUCCEEDED"), run.err());
    }

    @Test
    void theClientPollsAGatewayWithoutEventStreams() throws Exception {
        // An older gateway: statuses, but no events route (404 NOT_FOUND).
        Javalin old = Javalin.create().get("/jobs/{id}", ctx -> ctx.json(Map.of("id", ctx.pathParam("id"), "state", "SUCCEEDED"))).start(0);
        try {
            JsonNode s = new GatewayClient("http://localhost:" + old.port()).awaitFinished("old-1", Duration.ofSeconds(10));
            assertEquals("SUCCEEDED", s.path("state").asText());
        } finally {
            old.stop();
        }
    }
}
