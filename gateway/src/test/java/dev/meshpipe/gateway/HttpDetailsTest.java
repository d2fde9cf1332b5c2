package dev.meshpipe.gateway;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.common.store.ObjectInfo;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.io.TestNifti;
import dev.meshpipe.testsupport.TestCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToLongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP edge's details against a real broker and a real file store: 405 with Allow, a stalled
 * upload's 408, a reused Idempotency-Key's 422, a full disk's 507, a tenant's quota's 429, and
 * RFC 9110 ranges. The store's free-space reading is the one thing the test sets (a disk cannot
 * be filled on demand). Each test is its own tenant (token = tenant name), so the quotas of one
 * never see another's jobs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpDetailsTest {
    Path dir;
    TestCluster cluster;
    GatewayService gateway;
    FileObjectStore files;
    /** The free bytes the store reports on its n-th reading. */
    volatile IntToLongFunction free = n -> Long.MAX_VALUE / 4;
    final AtomicInteger readings = new AtomicInteger();
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    /** A real file store whose free space the test decides. */
    final class MeteredStore implements ObjectStore {
        @Override
        public Upload create(String key) throws IOException {
            return files.create(key);
        }

        @Override
        public InputStream open(String key, long offset, long length) throws IOException {
            return files.open(key, offset, length);
        }

        @Override
        public Optional<ObjectInfo> head(String key) throws IOException {
            return files.head(key);
        }

        @Override
        public void delete(String key) throws IOException {
            files.delete(key);
        }

        @Override
        public List<ObjectInfo> list(String prefix) throws IOException {
            return files.list(prefix);
        }

        @Override
        public OptionalLong usableSpace() {
            return OptionalLong.of(free.applyAsLong(readings.getAndIncrement()));
        }
    }

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("meshpipe-http-details");
        cluster = new TestCluster(1);
        MeshpipeConfig config = cluster.config(dir, "h", 2);
        files = new FileObjectStore(dir.resolve("objects"));
        java.util.Map<String, String> tokens = new java.util.HashMap<>();
        for (String t : new String[] {"methods", "stall", "idem", "disk", "ranges", "quota", "stored"}) {
            tokens.put(t, t);
        }
        GatewayOptions options = GatewayOptions.defaults().withTokens(tokens)
                .withLimits(EdgeLimits.defaults().withIdleTimeout(Duration.ofSeconds(2)).withMinFreeBytes(1L << 30)
                        .withTenantQuotas(2, 1L << 30));
        gateway = new GatewayService(config, options, new MeteredStore());
        gateway.start();
        awaitReady(gateway);
        base = "http://localhost:" + gateway.port();
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static void awaitReady(GatewayService g) throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (!g.ready() && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
    }

    HttpResponse<String> send(String tenant, String method, String path, String type, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", "Bearer " + tenant);
        if (type != null) {
            r.header("Content-Type", type);
        }
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
    }

    HttpResponse<String> json(String tenant, String body, String... headers) throws Exception {
        return send(tenant, "POST", "/jobs", "application/json", body.getBytes(StandardCharsets.UTF_8), headers);
    }

    HttpResponse<String> upload(String tenant, byte[] volume, String query, String... headers) throws Exception {
        return send(tenant, "POST", "/jobs" + query, "application/octet-stream", volume, headers);
    }

    static String sphere(double r) {
        return "{\"input\":{\"synthetic\":\"sphere:12:" + r + "\"}}";
    }

    static String id(HttpResponse<String> r) throws Exception {
        assertEquals(202, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body()).path("id").asText();
    }

    long partFiles() throws IOException {
        try (Stream<Path> s = Files.list(files.root().resolve(".tmp"))) {
            return s.count();
        }
    }

    /** A NIfTI whose header declares {@code n}^3 bytes of voxels, followed by the first {@code bytes} of them. */
    static byte[] volumeStart(int n, int bytes) {
        byte[] header = TestNifti.header(n, n, n, new double[] {1, 1, 1}, 2, 8, ByteOrder.LITTLE_ENDIAN).array();
        return java.util.Arrays.copyOf(header, header.length + bytes);
    }

    @Test
    void aWrongMethodIs405WithTheAllowedOnes() throws Exception {
        String[][] cases = {
            {"PUT", "/jobs/some-job", "GET, HEAD, DELETE"},
            {"POST", "/jobs/some-job", "GET, HEAD, DELETE"},
            {"PUT", "/jobs", "GET, HEAD, POST"},
            {"DELETE", "/jobs/some-job/download", "GET, HEAD"},
            {"PATCH", "/jobs/some-job/preview.png", "GET, HEAD"},
            {"POST", "/jobs/some-job/mesh.glb", "GET, HEAD"},
            {"PUT", "/jobs/some-job/quality.json", "GET, HEAD"},
            {"DELETE", "/jobs/some-job/events", "GET, HEAD"},
            {"POST", "/health/live", "GET, HEAD"},
            {"DELETE", "/health/ready", "GET, HEAD"},
            {"POST", "/metrics", "GET, HEAD"},
            {"PUT", "/openapi.json", "GET, HEAD"},
            {"POST", "/internal/status/some-job", "GET, HEAD"},
            {"POST", "/internal/jobs", "GET, HEAD"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = send("methods", c[0], c[1], null, null);
            assertProblem(r, 405, "METHOD_NOT_ALLOWED");
            assertEquals(c[2], r.headers().firstValue("Allow").orElse(""), c[0] + " " + c[1]);
        }
        HttpResponse<String> options = send("methods", "OPTIONS", "/jobs/some-job", null, null);
        assertEquals(204, options.statusCode());
        assertEquals("GET, HEAD, DELETE", options.headers().firstValue("Allow").orElse(""));
        assertProblem(send("methods", "GET", "/no/such/route", null, null), 404, "NOT_FOUND");
        assertEquals(404, send("methods", "HEAD", "/jobs/never-submitted", null, null).statusCode(), "HEAD answers as GET would");
    }

    /**
     * Stalls after 4 KiB (inside the 64 KiB read for the header check) and after 100 KiB (past it,
     * so a temporary file exists): both end, after the 2 s idle timeout, in 408 and no file left.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {4 * 1024, 100 * 1024})
    void aStalledUploadIs408AndLeavesNoTemporaryFile(int sent) throws Exception {
        byte[] start = volumeStart(128, sent - 348);
        try (Socket s = new Socket("localhost", gateway.port())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /jobs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer stall\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + (348 + 128 * 128 * 128) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(start);
            out.flush();
            // ...and nothing more: the server's 2 s idle timeout ends the request.
            String answer = new String(s.getInputStream().readNBytes(4096), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/problem+json"), answer);
            assertTrue(answer.contains("\"code\":\"UPLOAD_TIMEOUT\""), answer);
        }
        assertEquals(0, partFiles(), "the stalled upload's temporary file was removed");
    }

    @Test
    void reusingAnIdempotencyKeyForAnotherRequestIs422() throws Exception {
        String first = id(json("idem", "{\"input\":{\"synthetic\":\"sphere:12:4\"}}", "Idempotency-Key", "details-json"));
        assertEquals(first, id(json("idem", "{\"input\":{\"synthetic\":\"sphere:12:4\"}}", "Idempotency-Key", "details-json")));
        assertProblem(json("idem", "{\"input\":{\"synthetic\":\"sphere:12:5\"}}", "Idempotency-Key", "details-json"),
                422, "IDEMPOTENCY_KEY_REUSED");
        assertProblem(json("idem", "{\"input\":{\"synthetic\":\"sphere:12:4\"},\"params\":{\"formats\":[\"glb\"]}}",
                "Idempotency-Key", "details-json"), 422, "IDEMPOTENCY_KEY_REUSED");

        byte[] ball = TestNifti.ball(16, 5);
        String uploaded = id(upload("idem", ball, "?iso=0.5", "Idempotency-Key", "details-upload"));
        assertEquals(uploaded, id(upload("idem", ball, "?iso=0.5", "Idempotency-Key", "details-upload")));
        assertProblem(upload("idem", TestNifti.ball(16, 6), "?iso=0.5", "Idempotency-Key", "details-upload"),
                422, "IDEMPOTENCY_KEY_REUSED");
        assertProblem(upload("idem", ball, "?iso=0.7", "Idempotency-Key", "details-upload"), 422, "IDEMPOTENCY_KEY_REUSED");
        assertProblem(json("idem", "{\"input\":{\"synthetic\":\"sphere:12:4\"}}", "Idempotency-Key", "details-upload"),
                422, "IDEMPOTENCY_KEY_REUSED");
        // A chosen id beside a key would be dropped without a word: refused instead.
        assertProblem(json("idem", "{\"id\":\"chosen-beside-key\",\"input\":{\"synthetic\":\"sphere:12:4\"}}",
                "Idempotency-Key", "details-both"), 400, "INVALID_PARAMETER");
    }

    @Test
    void anUploadThatWouldFillTheDiskIs507() throws Exception {
        try {
            long before = partFiles();
            free = n -> 10L << 20; // below the 1 GiB floor from the start
            assertProblem(upload("disk", TestNifti.ball(16, 5), ""), 507, "INSUFFICIENT_STORAGE");
            readings.set(0);
            free = n -> n == 0 ? 100L << 30 : 512L << 20; // room at the start, gone while the body streams
            assertProblem(upload("disk", volumeStart(160, 3 << 20), ""), 507, "INSUFFICIENT_STORAGE");
            assertEquals(before, partFiles(), "the refused upload's temporary file was removed");
            free = n -> 100L << 30;
            id(upload("disk", TestNifti.ball(16, 5), ""));
        } finally {
            free = n -> Long.MAX_VALUE / 4;
        }
    }

    @Test
    void rangesAndConditionsFollowRfc9110() throws Exception {
        String id = "details-ranges";
        byte[] zip = new byte[1000];
        new java.util.Random(7).nextBytes(zip);
        files.put("results/" + id + ".zip", zip);
        String sha = "ab".repeat(32);
        cluster.produce(Topics.EVENTS, id, JobEvent.of(id, JobState.SUCCEEDED, 100, "done").withSubmission("ranges", null, Instant.now())
                .withResult(new JobResult("results/" + id + ".zip", zip.length, sha, Instant.now().plusSeconds(3600))));
        String path = "/jobs/" + id + "/download";
        long end = System.currentTimeMillis() + 30_000;
        while (send("ranges", "GET", "/jobs/" + id, null, null).statusCode() != 200 && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        String etag = "\"" + sha + "\"";

        for (String huge : new String[] {"bytes=0-99999999999999999999", "bytes=-99999999999999999999"}) {
            HttpResponse<String> r = send("ranges", "GET", path, null, null, "Range", huge);
            assertEquals(206, r.statusCode(), huge + ": " + r.body());
            assertEquals("bytes 0-999/1000", r.headers().firstValue("Content-Range").orElse(""), huge);
            assertArrayEquals(zip, r.body().getBytes(StandardCharsets.ISO_8859_1), huge);
        }
        for (String unparsable : new String[] {"bytes=abc", "bytes=5-3", "bytes=1-2,x"}) {
            HttpResponse<String> r = send("ranges", "GET", path, null, null, "Range", unparsable);
            assertEquals(200, r.statusCode(), unparsable);
            assertArrayEquals(zip, r.body().getBytes(StandardCharsets.ISO_8859_1), unparsable);
        }
        HttpResponse<String> stale = send("ranges", "GET", path, null, null, "Range", "bytes=0-9", "If-Range", "\"an-older-zip\"");
        assertEquals(200, stale.statusCode(), "If-Range with another ETag: the whole, current file");
        assertArrayEquals(zip, stale.body().getBytes(StandardCharsets.ISO_8859_1));
        HttpResponse<String> current = send("ranges", "GET", path, null, null, "Range", "bytes=0-9", "If-Range", etag);
        assertEquals(206, current.statusCode());
        assertEquals(10, current.body().length());
        assertEquals(304, send("ranges", "GET", path, null, null, "If-None-Match", "W/" + etag).statusCode(), "weak comparison");
        assertEquals(304, send("ranges", "GET", path, null, null, "If-None-Match", etag).statusCode());
        assertProblem(send("ranges", "GET", path, null, null, "Range", "bytes=1000-"), 416, "INVALID_PARAMETER");
        JsonNode status = Json.MAPPER.readTree(send("ranges", "GET", "/jobs/" + id, null, null).body());
        assertTrue(status.path("fingerprint").isMissingNode(), "the request fingerprint stays inside: " + status);
    }

    @Test
    void aTenantAtItsLimitOfUnfinishedJobsIs429UntilOneFinishes() throws Exception {
        String first = id(json("quota", sphere(4)));
        id(json("quota", sphere(5)));
        HttpResponse<String> over = json("quota", sphere(6));
        assertProblem(over, 429, "TENANT_QUOTA_EXCEEDED");
        assertEquals("30", over.headers().firstValue("Retry-After").orElse(""));
        assertEquals(2, Json.MAPPER.readTree(over.body()).path("activeJobs").asInt());
        assertProblem(upload("quota", TestNifti.ball(16, 5), ""), 429, "TENANT_QUOTA_EXCEEDED");
        assertEquals(202, send("quota", "DELETE", "/jobs/" + first, null, null).statusCode());
        id(json("quota", sphere(6)));
    }

    @Test
    void aTenantWhoseResultsFillItsQuotaIs429() throws Exception {
        id(json("stored", sphere(4)));
        String big = "details-stored-big";
        cluster.produce(Topics.EVENTS, big, JobEvent.of(big, JobState.SUCCEEDED, 100, "done").withSubmission("stored", null, Instant.now())
                .withResult(new JobResult("results/" + big + ".zip", 2L << 30, "cd".repeat(32), Instant.now().plusSeconds(3600))));
        long end = System.currentTimeMillis() + 30_000;
        while (send("stored", "GET", "/jobs/" + big, null, null).statusCode() != 200 && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        HttpResponse<String> over = json("stored", sphere(5));
        assertProblem(over, 429, "TENANT_QUOTA_EXCEEDED");
        assertEquals("300", over.headers().firstValue("Retry-After").orElse(""));
        id(json("methods", sphere(7))); // another tenant's results do not count
    }
}
