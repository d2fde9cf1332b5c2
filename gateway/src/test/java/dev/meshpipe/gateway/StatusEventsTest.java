package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /jobs/{id}/events} in-process over {@link InMemoryJobs}, tokens on; read as a client would, line by line. */
class StatusEventsTest {
    private static final String TOKEN_A = "token-a";
    private static final String TOKEN_B = "token-b";
    private static final StatusEvents.Timing FAST = new StatusEvents.Timing(Duration.ofMillis(20), Duration.ofMillis(300),
            Duration.ofMillis(1500), Duration.ofMinutes(1));
    private static final String END = "\u0000end";

    @TempDir
    Path dir;
    private final InMemoryJobs jobs = new InMemoryJobs();
    private final HttpClient http = HttpClient.newHttpClient();

    private Javalin app(EdgeLimits edge) throws java.io.IOException {
        Auth auth = new Auth(Map.of(TOKEN_A, "tenant-a", TOKEN_B, "tenant-b"), "secret".getBytes(StandardCharsets.UTF_8));
        Javalin a = GatewayHttp.create(edge.idleTimeout(), c -> { });
        GatewayHttp.jobRoutes(a, new RouteContext(new FileObjectStore(dir), jobs, jobs, auth, 1000, VolumeLimits.defaults(), edge,
                Duration.ofHours(1)), FAST);
        return a;
    }

    @Test
    void everyChangeIsAnEventInOrderAndTheStreamEndsAfterTheTerminalOne() throws Exception {
        jobs.put("tenant-a", JobEvent.of("j1", JobState.QUEUED, 0, "queued"));
        JavalinTest.test(app(EdgeLimits.defaults()), (server, client) -> {
            Sse sse = open(server.port(), "j1", TOKEN_A, null);
            assertEquals(200, sse.response.statusCode());
            assertEquals("text/event-stream;charset=utf-8", sse.response.headers().firstValue("Content-Type").orElse("").replace(" ", ""));
            assertEquals("no-cache", sse.response.headers().firstValue("Cache-Control").orElse(""));
            assertEquals("retry: 1500", sse.line());
            assertEquals("", sse.line());
            Map<String, String> first = sse.event();
            assertEquals("status", first.get("event"));
            assertEquals(StatusEvents.eventId(jobs.statuses.get("j1")), first.get("id"));
            JsonNode q = Json.MAPPER.readTree(first.get("data"));
            assertEquals("QUEUED", q.path("state").asText());
            assertEquals(Json.MAPPER.readTree(client.get("/jobs/j1", b -> b.header("Authorization", "Bearer " + TOKEN_A)).body().string()), q);
            List<String> seen = new ArrayList<>();
            for (JobEvent e : List.of(JobEvent.of("j1", JobState.PROCESSING, 10, "extracting"), JobEvent.of("j1", JobState.PROCESSING, 60, "smoothing"),
                    JobEvent.of("j1", JobState.PACKAGING, 0, "zipping"),
                    JobEvent.of("j1", JobState.SUCCEEDED, 100, "done").withResult(new JobResult("results/j1.zip", 10, "sha", Instant.now().plusSeconds(60))))) {
                jobs.event("j1", e);
                Map<String, String> ev = sse.event();
                JsonNode s = Json.MAPPER.readTree(ev.get("data"));
                seen.add(s.path("state").asText() + " " + s.path("progress").asInt());
                assertEquals(StatusEvents.eventId(jobs.statuses.get("j1")), ev.get("id"));
            }
            assertEquals(List.of("PROCESSING 10", "PROCESSING 60", "PACKAGING 0", "SUCCEEDED 100"), seen);
            assertEquals(END, sse.line(), "the stream ends after SUCCEEDED");
        });
    }

    @Test
    void aResumedStreamGetsTheCurrentStatusOnlyIfItDiffersFromTheLastEventId() throws Exception {
        jobs.put("tenant-a", JobEvent.of("j2", JobState.PROCESSING, 40, "extracting"));
        JavalinTest.test(app(EdgeLimits.defaults()), (server, client) -> {
            String current = StatusEvents.eventId(jobs.statuses.get("j2"));
            Sse stale = open(server.port(), "j2", TOKEN_A, "0-0-0");
            stale.line();
            stale.line();
            assertEquals(current, stale.event().get("id"), "a stale id gets the current status at once");

            Sse upToDate = open(server.port(), "j2", TOKEN_A, current);
            assertEquals("retry: 1500", upToDate.line());
            assertEquals("", upToDate.line());
            // Heartbeats may come (every 300 ms here, and a loaded machine may take that long to get
            // this far); an event may not.
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            String quiet = null;
            for (long left; quiet == null && (left = until - System.nanoTime()) > 0; ) {
                String l = upToDate.lines.poll(left, TimeUnit.NANOSECONDS);
                quiet = l == null || l.startsWith(":") || l.isEmpty() ? null : l;
            }
            assertNull(quiet, "nothing new, nothing sent");
            jobs.event("j2", JobEvent.of("j2", JobState.FAILED, 0, "failed"));
            JsonNode failed = Json.MAPPER.readTree(upToDate.event().get("data"));
            assertEquals("FAILED", failed.path("state").asText());
            assertEquals(END, upToDate.line());
            assertEquals(END, stale.skipToEnd());

            // The client has the end already: 204, which tells EventSource not to come back.
            Sse over = open(server.port(), "j2", TOKEN_A, StatusEvents.eventId(jobs.statuses.get("j2")));
            assertEquals(204, over.response.statusCode());
        });
    }

    @Test
    void aQuietStreamGetsHeartbeats() throws Exception {
        jobs.put("tenant-a", JobEvent.of("j3", JobState.QUEUED, 0, "queued"));
        JavalinTest.test(app(EdgeLimits.defaults()), (server, client) -> {
            Sse sse = open(server.port(), "j3", TOKEN_A, null);
            sse.line();
            sse.line();
            sse.event();
            assertEquals(": keep-alive", sse.line());
            assertEquals("", sse.line());
        });
    }

    @Test
    void anotherTenantsOrAnUnknownJobIs404BeforeAnyStreamAndOtherMethods405() throws Exception {
        jobs.put("tenant-a", JobEvent.of("j4", JobState.QUEUED, 0, "queued"));
        JavalinTest.test(app(EdgeLimits.defaults()), (server, client) -> {
            assertProblem(open(server.port(), "j4", TOKEN_B, null), 404, "JOB_NOT_FOUND");
            assertProblem(open(server.port(), "nope", TOKEN_A, null), 404, "JOB_NOT_FOUND");
            assertProblem(open(server.port(), "bad%20id", TOKEN_A, null), 400, "INVALID_JOB_ID");
            assertProblem(open(server.port(), "j4", null, null), 401, "UNAUTHORIZED");
            var post = client.request("/jobs/j4/events", b -> b.header("Authorization", "Bearer " + TOKEN_A).post(okhttp3.RequestBody.create(new byte[0])));
            assertEquals(405, post.code());
            assertEquals("GET, HEAD", post.header("Allow"));
            assertTrue(post.body().string().contains("METHOD_NOT_ALLOWED"));
            var head = client.request("/jobs/j4/events", b -> b.header("Authorization", "Bearer " + TOKEN_A).head());
            assertEquals(200, head.code());
            assertTrue(head.header("Content-Type", "").startsWith("text/event-stream"));
        });
    }

    @Test
    void streamsAreCappedPerInstanceAndPerTenant() throws Exception {
        jobs.put("tenant-a", JobEvent.of("j5", JobState.QUEUED, 0, "queued"));
        jobs.put("tenant-b", JobEvent.of("j6", JobState.QUEUED, 0, "queued"));
        JavalinTest.test(app(EdgeLimits.defaults().withEventStreams(2, 1)), (server, client) -> {
            Sse one = open(server.port(), "j5", TOKEN_A, null);
            assertEquals(200, one.response.statusCode());
            assertProblem(open(server.port(), "j5", TOKEN_A, null), 429, "TENANT_QUOTA_EXCEEDED");
            Sse two = open(server.port(), "j6", TOKEN_B, null);
            assertEquals(200, two.response.statusCode());
            jobs.put("tenant-a", JobEvent.of("j7", JobState.QUEUED, 0, "queued"));
            HttpResponse<Stream<String>> full = open(server.port(), "j7", TOKEN_A, null).response;
            assertEquals(503, full.statusCode());
            assertTrue(full.headers().firstValue("Retry-After").isPresent());
            jobs.event("j5", JobEvent.of("j5", JobState.CANCELLED, 0, "cancelled"));
            assertEquals(END, one.skipToEnd());
            long end = System.currentTimeMillis() + 5_000;
            int code;
            do {
                code = open(server.port(), "j5", TOKEN_A, null).response.statusCode();
            } while (code != 200 && System.currentTimeMillis() < end);
            assertEquals(200, code, "an ended stream gives its slot back");
        });
    }

    /**
     * Many streams at once, each on its own job: every one gets its job's change, and how long
     * that took is printed. {@code -Dmeshpipe.events.streams=1000} for the instance's default cap.
     */
    @Test
    void manyStreamsEachGetTheirChange() throws Exception {
        int n = Integer.getInteger("meshpipe.events.streams", 100);
        for (int i = 0; i < n; i++) {
            jobs.put("tenant-a", JobEvent.of("m" + i, JobState.QUEUED, 0, "queued"));
        }
        String[] figures = {""};
        JavalinTest.test(app(EdgeLimits.defaults().withEventStreams(n, 0)), (server, client) -> {
            List<Sse> all = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Sse sse = open(server.port(), "m" + i, TOKEN_A, null);
                sse.line();
                sse.line();
                sse.event();
                all.add(sse);
            }
            long opened = System.nanoTime();
            for (int i = 0; i < n; i++) {
                jobs.event("m" + i, JobEvent.of("m" + i, JobState.PROCESSING, 50, "extracting"));
            }
            long changed = System.nanoTime();
            for (Sse sse : all) {
                assertEquals("PROCESSING", Json.MAPPER.readTree(sse.event().get("data")).path("state").asText());
            }
            long seen = System.nanoTime();
            figures[0] = String.format("%d streams: opened in %d ms; all %d changes seen %d ms after the last was made (%d ms to make them)",
                    n, (opened - t0) / 1_000_000, n, (seen - changed) / 1_000_000, (changed - opened) / 1_000_000);
        });
        System.out.println(figures[0]); // JavalinTest holds back what a test prints unless it fails
    }

    @Test
    void theApiDocumentDescribesTheStream() throws Exception {
        JsonNode path;
        try (var in = StatusEventsTest.class.getResourceAsStream("/openapi.json")) {
            path = Json.MAPPER.readTree(in).path("paths").path("/jobs/{id}/events").path("get");
        }
        assertTrue(path.path("responses").path("200").path("content").has(StatusEvents.MEDIA_TYPE), path.toString());
        for (String status : List.of("204", "400", "401", "404", "405", "429", "503")) {
            assertTrue(path.path("responses").has(status), status);
        }
    }

    private void assertProblem(Sse sse, int status, String code) throws Exception {
        assertEquals(status, sse.response.statusCode());
        assertEquals(Problem.MEDIA_TYPE, sse.response.headers().firstValue("Content-Type").orElse(""));
        StringBuilder body = new StringBuilder();
        for (String l = sse.line(); !l.equals(END); l = sse.line()) {
            body.append(l);
        }
        assertEquals(code, Json.MAPPER.readTree(body.toString()).path("code").asText());
    }

    private Sse open(int port, String id, String token, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs/" + id + "/events"))
                .header("Accept", StatusEvents.MEDIA_TYPE);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return new Sse(http.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
    }

    /** A stream's lines, read on their own thread so a test can wait for each with a timeout. */
    private static final class Sse {
        final HttpResponse<Stream<String>> response;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Sse(HttpResponse<Stream<String>> response) {
            this.response = response;
            Thread t = new Thread(() -> {
                try (Stream<String> s = response.body()) {
                    s.forEach(lines::add);
                } catch (RuntimeException e) {
                    // the server ended the stream abruptly: the same as its end here
                }
                lines.add(END);
            });
            t.setDaemon(true);
            t.start();
        }

        String line() throws InterruptedException {
            String l = lines.poll(5, TimeUnit.SECONDS);
            if (l == null) {
                throw new AssertionError("no line within 5 s");
            }
            return l;
        }

        /** The next event's fields; comments (heartbeats) are skipped. */
        Map<String, String> event() throws InterruptedException {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String l = line(); !l.isEmpty() || fields.isEmpty(); l = line()) {
                if (l.equals(END)) {
                    throw new AssertionError("the stream ended; fields so far " + fields);
                }
                int colon = l.indexOf(':');
                if (colon > 0) {
                    fields.put(l.substring(0, colon), l.substring(colon + 1).strip());
                }
            }
            return fields;
        }

        String skipToEnd() throws InterruptedException {
            String l;
            do {
                l = line();
            } while (!l.equals(END));
            return l;
        }
    }
}
