package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.TestNifti;
import io.javalin.Javalin;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job routes in-process, without a broker: the same app the service runs, over in-memory
 * statuses and topics ({@link InMemoryJobs}) and a real object store in a temporary directory.
 * The broker tests in {@code standalone} check the same contract end to end.
 */
class GatewayRoutesTest {
    private static final String TOKEN_A = "token-a";
    private static final String TOKEN_B = "token-b";
    private static final long MAX_UPLOAD = 100_000;

    @TempDir
    Path dir;
    private ObjectStore store;
    private final InMemoryJobs jobs = new InMemoryJobs();
    private Javalin app;

    @BeforeEach
    void app() throws IOException {
        store = new FileObjectStore(dir);
        app = app(EdgeLimits.defaults().withMinFreeBytes(0));
    }

    private Javalin app(EdgeLimits edge) {
        Auth auth = new Auth(Map.of(TOKEN_A, "tenant-a", TOKEN_B, "tenant-b"), "secret".getBytes(StandardCharsets.UTF_8));
        Javalin a = GatewayHttp.create(edge.idleTimeout(), c -> { });
        GatewayHttp.jobRoutes(a, new RouteContext(store, jobs, jobs, auth, MAX_UPLOAD, VolumeLimits.defaults(), edge, Duration.ofHours(1)));
        return a;
    }

    @Test
    void statusOfAMissingJobIs404AndABadIdIs400() {
        test((server, client) -> {
            assertProblem(get(client, "/jobs/nope", TOKEN_A), 404, ErrorCode.JOB_NOT_FOUND);
            assertProblem(get(client, "/jobs/bad%20id", TOKEN_A), 400, ErrorCode.INVALID_JOB_ID);
        });
    }

    @Test
    void aStatusStoreThatCannotAnswerIs503WithRetryAfterAndABugIs500WithoutItsClass() {
        test((server, client) -> {
            jobs.failure = () -> StatusStore.unavailable("restoring");
            Response unavailable = get(client, "/jobs/j1", TOKEN_A);
            assertProblem(unavailable, 503, ErrorCode.STATUS_UNAVAILABLE);
            assertEquals("1", unavailable.header("Retry-After"));
            jobs.failure = () -> new IllegalStateException("a bug in dev.meshpipe.gateway");
            Response bug = get(client, "/jobs/j1/download", TOKEN_A);
            JsonNode body = assertProblem(bug, 500, ErrorCode.INTERNAL_ERROR);
            assertFalse(body.toString().contains("IllegalStateException") || body.toString().contains("dev.meshpipe"), body.toString());
            assertNull(bug.header("Retry-After"));
            assertProblem(get(client, "/jobs/j1", TOKEN_A), 500, ErrorCode.INTERNAL_ERROR);
        });
    }

    @Test
    void downloadsOfJobsWithoutAResultSayWhy() {
        jobs.put("tenant-a", JobEvent.of("queued", JobState.PROCESSING, 40, "meshing"));
        jobs.put("tenant-a", JobEvent.of("gone", JobState.EXPIRED, 100, "expired"));
        jobs.put("tenant-a", JobEvent.failed("broken", ErrorCode.MESHING_FAILED, "no surface at this isovalue", "processor"));
        jobs.put("tenant-a", JobEvent.of("stopped", JobState.CANCELLED, 10, "cancelled"));
        jobs.put("tenant-a", succeeded("lost", "results/lost/mesh.zip", 10));
        test((server, client) -> {
            Response notReady = get(client, "/jobs/queued/download", TOKEN_A);
            JsonNode body = assertProblem(notReady, 409, ErrorCode.JOB_NOT_READY);
            assertEquals("PROCESSING", body.get("state").asText());
            assertEquals(40, body.get("progress").asInt());
            assertEquals("2", notReady.header("Retry-After"));
            assertProblem(get(client, "/jobs/gone/download", TOKEN_A), 410, ErrorCode.RESULT_EXPIRED);
            JsonNode failed = assertProblem(get(client, "/jobs/broken/download", TOKEN_A), 500, ErrorCode.JOB_FAILED);
            assertEquals("no surface at this isovalue", failed.get("detail").asText());
            assertEquals("MESHING_FAILED", failed.get("error").get("code").asText());
            assertProblem(get(client, "/jobs/stopped/download", TOKEN_A), 500, ErrorCode.JOB_CANCELLED);
            // SUCCEEDED, but the object has gone from the store: expired, not a server error.
            assertProblem(get(client, "/jobs/lost/download", TOKEN_A), 410, ErrorCode.RESULT_EXPIRED);
            assertProblem(get(client, "/jobs/nope/download", TOKEN_A), 404, ErrorCode.JOB_NOT_FOUND);
        });
    }

    @Test
    void aRangeIs206AndARangePastTheEndIs416WithTheSize() throws IOException {
        byte[] zip = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
        String key = ObjectKeys.result("done");
        try (ObjectStore.Upload up = store.create(key)) {
            up.write(zip);
        }
        jobs.put("tenant-a", succeeded("done", key, zip.length));
        test((server, client) -> {
            Response whole = get(client, "/jobs/done/download", TOKEN_A);
            assertEquals(200, whole.code());
            assertEquals("\"sha\"", whole.header("ETag"));
            Response part = request(client, "/jobs/done/download", TOKEN_A, b -> b.header("Range", "bytes=5-9"));
            assertEquals(206, part.code());
            assertEquals("bytes 5-9/20", part.header("Content-Range"));
            assertEquals("56789", part.body().string());
            Response past = request(client, "/jobs/done/download", TOKEN_A, b -> b.header("Range", "bytes=50-60"));
            JsonNode body = assertProblem(past, 416, ErrorCode.INVALID_PARAMETER);
            assertEquals("bytes */20", past.header("Content-Range"));
            assertEquals(20, body.get("size").asInt());
            assertEquals(304, request(client, "/jobs/done/download", TOKEN_A, b -> b.header("If-None-Match", "\"sha\"")).code());
        });
    }

    @Test
    void aSubmissionWithBadJsonOrABadParameterIs400NamingTheField() {
        test((server, client) -> {
            JsonNode json = assertProblem(post(client, "application/json",
                    "{\"input\":{\"synthetic\":\"torus:16\"},\"params\":{\"borders\":\"maybe\"}}".getBytes(StandardCharsets.UTF_8), false),
                    400, ErrorCode.INVALID_PARAMETER);
            assertTrue(json.get("detail").asText().contains("params.borders"), json.toString());
            JsonNode query = assertProblem(request(client, "/jobs?borders=maybe", TOKEN_A,
                    b -> b.post(body("application/octet-stream", TestNifti.ball(8, 3), false))), 400, ErrorCode.INVALID_PARAMETER);
            assertTrue(query.get("detail").asText().contains("borders"), query.toString());
            assertProblem(post(client, "text/plain", new byte[] {1}, false), 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE);
            assertTrue(jobs.submissions.isEmpty());
        });
    }

    @Test
    void aBadOrPrivateCallbackUrlIs400InvalidCallbackUrlInJsonAndUploadAndAGoodOneTravelsWithTheJob() {
        test((server, client) -> {
            for (String url : new String[] {"ftp://example.com/hook", "not a url", "http://user:pw@example.com/",
                    "http://127.0.0.1:8080/hook", "http://169.254.169.254/latest", "http://10.0.0.7/hook"}) {
                String json = "{\"input\":{\"synthetic\":\"torus:16\"},\"params\":{\"callbackUrl\":" + Json.string(url) + "}}";
                assertProblem(post(client, "application/json", json.getBytes(StandardCharsets.UTF_8), false), 400,
                        ErrorCode.INVALID_CALLBACK_URL);
                assertProblem(request(client, "/jobs?callbackUrl=" + java.net.URLEncoder.encode(url, StandardCharsets.UTF_8), TOKEN_A,
                        b -> b.post(body("application/octet-stream", TestNifti.ball(8, 3), false))), 400, ErrorCode.INVALID_CALLBACK_URL);
            }
            assertTrue(jobs.submissions.isEmpty());
            // An address literal needs no DNS; a public one is fine.
            Response ok = post(client, "application/json",
                    "{\"input\":{\"synthetic\":\"torus:16\"},\"params\":{\"callbackUrl\":\"https://93.184.215.14/hook\"}}"
                            .getBytes(StandardCharsets.UTF_8), false);
            assertEquals(202, ok.code());
            assertEquals("https://93.184.215.14/hook", jobs.submissions.get(0).params().callbackUrl());
            assertEquals("https://93.184.215.14/hook", jobs.events.get(0).callbackUrl());
        });
    }

    @Test
    void aGoodSubmissionIsPublishedAndAnswered202WithItsLocation() {
        test((server, client) -> {
            Response r = post(client, "application/json", "{\"input\":{\"synthetic\":\"torus:16\"}}".getBytes(StandardCharsets.UTF_8), false);
            assertEquals(202, r.code());
            String id = Json.MAPPER.readTree(r.body().string()).get("id").asText();
            assertEquals("/jobs/" + id, r.header("Location"));
            assertEquals(1, jobs.submissions.size());
            assertEquals("tenant-a", jobs.statuses.get(id).tenant());
        });
    }

    /** A FreeSurfer-sized colour table (about 60 KB: far over a request line) travels as a form part beside the volume. */
    @Test
    void aVolumeAndItsColourTableAsAFormAreOneJob() {
        StringBuilder lut = new StringBuilder("# FreeSurfer-style table\n");
        for (int i = 0; i < 1300; i++) {
            lut.append(i).append("  Structure-number-").append(i).append("-with-a-long-name  ").append(i % 256).append(" 20 200 0\n");
        }
        byte[] volume = TestNifti.ball(8, 3);
        test((server, client) -> {
            Response r = form(client, "/jobs?mode=labels", new String[] {"volume", "colors"}, volume, lut.toString());
            String text = r.body().string();
            assertEquals(202, r.code(), text);
            String id = Json.MAPPER.readTree(text).get("id").asText();
            assertEquals(lut.toString(), jobs.submissions.get(0).params().colors());
            try (var in = store.open(ObjectKeys.input(id))) {
                assertTrue(java.util.Arrays.equals(volume, in.readAllBytes()), "the volume part is the stored input");
            }
            assertProblem(form(client, "/jobs", new String[] {"colors"}, volume, "1 a 1 2 3 0"), 400, ErrorCode.INVALID_PARAMETER);
            JsonNode unknown = assertProblem(form(client, "/jobs", new String[] {"volume", "notes"}, volume, "x"), 400, ErrorCode.INVALID_PARAMETER);
            assertTrue(unknown.get("detail").asText().contains("'notes'"), unknown.toString());
            assertProblem(form(client, "/jobs?colors=x", new String[] {"volume", "colors"}, volume, "1 a 1 2 3 0"), 400, ErrorCode.INVALID_PARAMETER);
            assertProblem(form(client, "/jobs", new String[] {"volume"}, new byte[(int) MAX_UPLOAD + 1], null), 413, ErrorCode.PAYLOAD_TOO_LARGE);
            assertProblem(request(client, "/jobs", TOKEN_A, b -> b.post(body("multipart/form-data; boundary=xyz", new byte[] {1, 2, 3}, false))),
                    400, ErrorCode.INVALID_REQUEST);
            assertEquals(1, jobs.submissions.size(), "only the good form made a job");
        });
    }

    /** A multipart/form-data POST with the named parts: "volume" holds {@code volume}, any other the text. */
    private static Response form(HttpClient client, String path, String[] parts, byte[] volume, String text) {
        okhttp3.MultipartBody.Builder b = new okhttp3.MultipartBody.Builder().setType(okhttp3.MultipartBody.FORM);
        for (String name : parts) {
            if (name.equals("volume")) {
                b.addFormDataPart(name, "ball.nii", RequestBody.create(volume, MediaType.get("application/octet-stream")));
            } else {
                b.addFormDataPart(name, name + ".txt", RequestBody.create(text.getBytes(StandardCharsets.UTF_8), MediaType.get("text/plain")));
            }
        }
        okhttp3.MultipartBody body = b.build();
        return request(client, path, TOKEN_A, r -> r.post(body));
    }

    @Test
    void aTenantAtItsQuotaIs429WithTheWaitThatFitsTheLimit() {
        byte[] request = "{\"input\":{\"synthetic\":\"torus:16\"}}".getBytes(StandardCharsets.UTF_8);
        jobs.put("tenant-a", JobEvent.of("running", JobState.PROCESSING, 40, "meshing"));
        app = app(EdgeLimits.defaults().withMinFreeBytes(0).withTenantQuotas(1, 0));
        test((server, client) -> {
            Response over = post(client, "application/json", request, false);
            JsonNode body = assertProblem(over, 429, ErrorCode.TENANT_QUOTA_EXCEEDED);
            assertEquals(1, body.get("limit").asInt());
            assertEquals("30", over.header("Retry-After")); // an active job finishes within about that
        });
        jobs.statuses.clear();
        jobs.put("tenant-a", succeeded("kept", "results/kept/mesh.zip", 5000));
        app = app(EdgeLimits.defaults().withMinFreeBytes(0).withTenantQuotas(0, 4000));
        test((server, client) -> {
            Response over = post(client, "application/json", request, false);
            JsonNode body = assertProblem(over, 429, ErrorCode.TENANT_QUOTA_EXCEEDED);
            assertEquals(5000, body.get("storedBytes").asInt());
            assertEquals("300", over.header("Retry-After")); // stored results go only as they expire
            // Another tenant is not held back by tenant-a's results.
            assertEquals(202, request(client, "/jobs", TOKEN_B, b -> b.post(body("application/json", request, false))).code());
        });
        assertTrue(jobs.submissions.stream().allMatch(s -> s.tenant().equals("tenant-b")));
    }

    @Test
    void anUploadOverTheLimitIs413AndLeavesNothingStored() {
        byte[] volume = TestNifti.ball(48, 20); // a valid header, then more than MAX_UPLOAD bytes
        assertTrue(volume.length > MAX_UPLOAD);
        test((server, client) -> {
            assertProblem(post(client, "application/octet-stream", volume, false), 413, ErrorCode.PAYLOAD_TOO_LARGE);
            // Without a Content-Length the limit is found while streaming, after the header was accepted.
            assertProblem(post(client, "application/octet-stream", volume, true), 413, ErrorCode.PAYLOAD_TOO_LARGE);
            assertTrue(jobs.submissions.isEmpty());
            try (Stream<Path> files = Files.walk(dir)) {
                assertEquals(0, files.filter(Files::isRegularFile).count(), "nothing stored");
            }
        });
    }

    @Test
    void cancellingAnotherTenantsJobIsAnsweredExactlyAsAMissingOne() {
        jobs.put("tenant-a", JobEvent.of("theirs", JobState.PROCESSING, 40, "meshing"));
        test((server, client) -> {
            Response other = request(client, "/jobs/theirs", TOKEN_B, Request.Builder::delete);
            String otherBody = other.body().string();
            assertEquals(JobState.PROCESSING, jobs.statuses.get("theirs").state(), "not cancelled");
            assertTrue(jobs.events.isEmpty());
            jobs.statuses.remove("theirs");
            Response missing = request(client, "/jobs/theirs", TOKEN_B, Request.Builder::delete);
            assertEquals(404, other.code());
            assertEquals(missing.code(), other.code());
            assertEquals(missing.header("Content-Type"), other.header("Content-Type"));
            assertEquals(missing.body().string(), otherBody);
            assertProblem(request(client, "/jobs/never", TOKEN_A, Request.Builder::delete), 404, ErrorCode.JOB_NOT_FOUND);
        });
    }

    @Test
    void cancellingAnUnfinishedJobIs202AndAFinishedOneIs409() {
        jobs.put("tenant-a", JobEvent.of("running", JobState.PROCESSING, 40, "meshing"));
        jobs.put("tenant-a", JobEvent.of("over", JobState.EXPIRED, 100, "expired"));
        test((server, client) -> {
            Response cancelled = request(client, "/jobs/running", TOKEN_A, Request.Builder::delete);
            assertEquals(202, cancelled.code());
            assertEquals("CANCELLED", Json.MAPPER.readTree(cancelled.body().string()).get("state").asText());
            JsonNode finished = assertProblem(request(client, "/jobs/over", TOKEN_A, Request.Builder::delete), 409,
                    ErrorCode.JOB_ALREADY_FINISHED);
            assertEquals("EXPIRED", finished.get("state").asText());
        });
    }

    @Test
    void aMethodARouteLacksIs405WithAllow() {
        test((server, client) -> {
            Response put = request(client, "/jobs/some-job", TOKEN_A, b -> b.put(body("application/json", new byte[] {'1'}, false)));
            assertProblem(put, 405, ErrorCode.METHOD_NOT_ALLOWED);
            assertEquals("GET, HEAD, DELETE", put.header("Allow"));
            Response options = request(client, "/jobs", TOKEN_A, b -> b.method("OPTIONS", null));
            assertEquals(204, options.code());
            assertEquals("GET, HEAD, POST", options.header("Allow"));
        });
    }

    @Test
    void refusalsOfTheHttpServerItselfAreProblemsToo() {
        test((server, client) -> {
            // Jetty refuses headers over its buffer before any route runs.
            Response tooLarge = request(client, "/jobs/x", TOKEN_A, b -> b.header("X-Padding", "x".repeat(20_000)));
            assertEquals(431, tooLarge.code());
            assertEquals(Problem.MEDIA_TYPE, tooLarge.header("Content-Type"));
            assertEquals(ErrorCode.INVALID_REQUEST.name(), Json.MAPPER.readTree(tooLarge.body().string()).get("code").asText());
            assertProblem(request(client, "/nothing/here", TOKEN_A, b -> { }), 404, ErrorCode.NOT_FOUND);
            assertProblem(get(client, "/jobs/x", null), 401, ErrorCode.UNAUTHORIZED);
        });
    }

    private static JobEvent succeeded(String id, String key, long size) {
        return JobEvent.of(id, JobState.SUCCEEDED, 100, "done").withResult(new JobResult(key, size, "sha", Instant.now().plusSeconds(3600)));
    }

    private void test(io.javalin.testtools.TestCase body) {
        JavalinTest.test(app, body);
    }

    private static Response get(HttpClient client, String path, String token) {
        return request(client, path, token, b -> { });
    }

    private static Response post(HttpClient client, String type, byte[] bytes, boolean chunked) {
        return request(client, "/jobs", TOKEN_A, b -> b.post(body(type, bytes, chunked)));
    }

    private static Response request(HttpClient client, String path, String token, Consumer<Request.Builder> more) {
        return client.request(path, b -> {
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            more.accept(b);
        });
    }

    /** A body with its length declared, or sent chunked so the server learns its size only by reading it. */
    private static RequestBody body(String type, byte[] bytes, boolean chunked) {
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get(type);
            }

            @Override
            public long contentLength() {
                return chunked ? -1 : bytes.length;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.write(bytes);
            }
        };
    }

    /** A problem+json answer with this status and code; returns its body. */
    private static JsonNode assertProblem(Response r, int status, ErrorCode code) throws IOException {
        String text = r.body().string();
        assertEquals(status, r.code(), text);
        assertEquals(Problem.MEDIA_TYPE, r.header("Content-Type"), text);
        JsonNode body = Json.MAPPER.readTree(text);
        assertEquals(code.name(), body.get("code").asText(), text);
        assertEquals(status, body.get("status").asInt(), text);
        return body;
    }
}
