package dev.meshpipe.standalone;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.gateway.GatewayOptions;
import dev.meshpipe.gateway.GatewayService;
import dev.meshpipe.testsupport.PipelineExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP contract against a real broker, with two gateway instances sharing the status store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class GatewayTest {
    static final byte[] SECRET = "test-link-secret".getBytes(StandardCharsets.UTF_8);
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("a", 4, GatewayOptions.defaults().withLinkSecret(SECRET));
    GatewayService second;
    MeshpipeConfig configB;
    String a;
    String b;

    /** The second instance, on the same cluster and store as the pipeline's gateway. */
    @BeforeAll
    void startSecondGateway() throws Exception {
        configB = pipeline.cluster().config(pipeline.dir(), "b", 4);
        second = new GatewayService(configB, GatewayOptions.defaults().withLinkSecret(SECRET), pipeline.store());
        second.start();
        awaitReady(second);
        a = pipeline.base();
        b = "http://localhost:" + second.port();
    }

    @AfterAll
    void stopSecondGateway() {
        if (second != null) {
            second.close();
        }
    }

    /** Another gateway instance on the pipeline's cluster and store (its own state directory {@code name}), started and ready. */
    static GatewayService startAnother(PipelineExtension<?> pipeline, String name, GatewayOptions options) throws Exception {
        GatewayService g = new GatewayService(pipeline.cluster().config(pipeline.dir(), name, 4), options, pipeline.store());
        g.start();
        awaitReady(g);
        return g;
    }

    static void awaitReady(GatewayService g) throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (!g.ready() && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
    }

    /**
     * Sends the request, and again while the answer is 503 with Retry-After: the contract allows a
     * gateway to be unsure for a moment (rebalancing), never to be wrong.
     */
    HttpResponse<String> send(String method, String url, String type, String body, String... headers) throws Exception {
        long end = System.currentTimeMillis() + 30_000;
        HttpResponse<String> r = sendOnce(method, url, type, body, headers);
        while (r.statusCode() == 503 && System.currentTimeMillis() < end) {
            assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.body());
            Thread.sleep(100);
            r = sendOnce(method, url, type, body, headers);
        }
        return r;
    }

    HttpResponse<String> sendOnce(String method, String url, String type, String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            r.header("Content-Type", type);
        }
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return pipeline.http().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String url, String... headers) throws Exception {
        return send("GET", url, null, null, headers);
    }

    String submit(String base, String spec, String... headers) throws Exception {
        HttpResponse<String> r = send("POST", base + "/jobs", "application/json", "{\"input\":{\"synthetic\":\"" + spec + "\"}}", headers);
        assertEquals(202, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body()).path("id").asText();
    }

    JsonNode awaitState(String base, String id, String state) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < end) {
            HttpResponse<String> r = get(base + "/jobs/" + id);
            if (r.statusCode() == 200) {
                last = Json.MAPPER.readTree(r.body());
                if (last.path("state").asText().equals(state)) {
                    return last;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError(id + " never reached " + state + "; last " + last);
    }

    @Test
    void aJobSubmittedOnOneInstanceIsKnownAtOnceOnTheOther() throws Exception {
        // Four partitions over two instances: about half the keys live on each side.
        for (int i = 0; i < 12; i++) {
            String id = submit(i % 2 == 0 ? a : b, "sphere:12:4");
            HttpResponse<String> other = get((i % 2 == 0 ? b : a) + "/jobs/" + id);
            assertEquals(200, other.statusCode(), other.body());
        }
    }

    @Test
    void bothInstancesAnswerForEveryKeyWithTheSameStatus() throws Exception {
        String id = submit(a, "sphere:16:5");
        JsonNode done = awaitState(b, id, "SUCCEEDED");
        assertEquals(done.path("result"), Json.MAPPER.readTree(get(a + "/jobs/" + id).body()).path("result"));
        HttpResponse<byte[]> viaB = pipeline.http().send(HttpRequest.newBuilder(URI.create(b + "/jobs/" + id + "/download")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, viaB.statusCode());
        assertEquals("application/zip", viaB.headers().firstValue("Content-Type").orElse(""));
        assertEquals("attachment; filename=\"" + id + ".zip\"", viaB.headers().firstValue("Content-Disposition").orElse(""));
        HttpResponse<byte[]> png = pipeline.http().send(HttpRequest.newBuilder(URI.create(a + "/jobs/" + id + "/preview.png")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
        assertEquals((byte) 0x89, png.body()[0]);
        HttpResponse<String> head = send("HEAD", a + "/jobs/" + id + "/download", null, null);
        assertEquals(200, head.statusCode());
        assertEquals(done.path("result").path("size").asText(), head.headers().firstValue("Content-Length").orElse(""));
    }

    @Test
    void theSameIdempotencyKeyIsTheSameJob() throws Exception {
        String first = submit(a, "sphere:12:4", "Idempotency-Key", "order-4711");
        String again = submit(b, "sphere:12:4", "Idempotency-Key", "order-4711");
        String other = submit(a, "sphere:12:4", "Idempotency-Key", "order-4712");
        assertEquals(first, again);
        assertNotEquals(first, other);
        assertProblem(send("POST", a + "/jobs", "application/json", "{\"input\":{\"synthetic\":\"sphere:8\"}}", "Idempotency-Key", "x".repeat(300)), 400, "INVALID_PARAMETER");
    }

    @Test
    void theDownloadContractForEveryState() throws Exception {
        // States made directly on the events topic, so each is certain.
        String running = "contract-running";
        pipeline.cluster().produce(Topics.EVENTS, running, JobEvent.of(running, JobState.PROCESSING, 42, "extracting"));
        HttpResponse<String> notReady = await(a + "/jobs/" + running + "/download", 409);
        assertProblem(notReady, 409, "JOB_NOT_READY");
        JsonNode p = Json.MAPPER.readTree(notReady.body());
        assertEquals("PROCESSING", p.path("state").asText());
        assertEquals(42, p.path("progress").asInt());
        assertTrue(notReady.headers().firstValue("Retry-After").isPresent());

        String gone = "contract-gone";
        pipeline.cluster().produce(Topics.EVENTS, gone, JobEvent.of(gone, JobState.SUCCEEDED, 100, "done")
                .withResult(new JobResult("results/contract-gone.zip", 10, "00", Instant.now().plusSeconds(3600))));
        assertProblem(await(b + "/jobs/" + gone + "/download", 410), 410, "RESULT_EXPIRED");

        String expired = "contract-expired";
        pipeline.cluster().produce(Topics.EVENTS, expired, JobEvent.of(expired, JobState.SUCCEEDED, 100, "done")
                .withResult(new JobResult("results/contract-expired.zip", 10, "00", Instant.now().plusSeconds(3600))));
        pipeline.cluster().produce(Topics.EVENTS, expired, JobEvent.of(expired, JobState.EXPIRED, 100, "expired"));
        awaitState(a, expired, "EXPIRED");
        assertProblem(get(a + "/jobs/" + expired + "/download"), 410, "RESULT_EXPIRED");

        String failed = "contract-failed";
        pipeline.cluster().produce(Topics.EVENTS, failed, JobEvent.failed(failed, dev.meshpipe.common.ErrorCode.INVALID_VOLUME, "truncated voxel data", "meshing"));
        HttpResponse<String> f = await(a + "/jobs/" + failed + "/download", 500);
        assertProblem(f, 500, "JOB_FAILED");
        assertEquals("INVALID_VOLUME", Json.MAPPER.readTree(f.body()).path("error").path("code").asText());
        assertEquals("truncated voxel data", Json.MAPPER.readTree(f.body()).path("detail").asText());

        assertProblem(get(a + "/jobs/never-submitted/download"), 404, "JOB_NOT_FOUND");
        assertProblem(get(a + "/jobs/..%2Fetc/download"), 400, "INVALID_JOB_ID");
        assertProblem(get(b + "/jobs/" + "x".repeat(65)), 400, "INVALID_JOB_ID");
    }

    @Test
    void cancellingAJobThatHasNotFinished() throws Exception {
        String queued = "contract-queued";
        pipeline.cluster().produce(Topics.EVENTS, queued, JobEvent.of(queued, JobState.QUEUED, 0, "queued"));
        await(a + "/jobs/" + queued, 200);
        HttpResponse<String> del = send("DELETE", b + "/jobs/" + queued, null, null);
        assertEquals(202, del.statusCode(), del.body());
        assertEquals("CANCELLED", Json.MAPPER.readTree(del.body()).path("state").asText());
        assertProblem(get(a + "/jobs/" + queued + "/download"), 500, "JOB_CANCELLED");
        assertProblem(send("DELETE", a + "/jobs/" + queued, null, null), 409, "JOB_ALREADY_FINISHED");
        assertTrue(pipeline.store().head("cancelled/" + queued).isPresent());
    }

    @Test
    void aTombstoneMakesAJobUnknown() throws Exception {
        String id = "contract-tombstone";
        pipeline.cluster().produce(Topics.EVENTS, id, JobEvent.of(id, JobState.QUEUED, 0, "queued"));
        await(a + "/jobs/" + id, 200);
        pipeline.cluster().produce(Topics.EVENTS, id, null);
        assertProblem(await(b + "/jobs/" + id, 404), 404, "JOB_NOT_FOUND");
    }

    @Test
    void healthMetricsAndOpenApi() throws Exception {
        assertEquals(200, get(a + "/health/live").statusCode());
        assertEquals(200, get(b + "/health/ready").statusCode());
        get(a + "/jobs/metrics-probe");
        String metrics = get(a + "/metrics").body();
        assertTrue(metrics.contains("http_server_requests_seconds_count{method=\"GET\",route=\"/jobs/{id}\",status=\"404\"}"), metrics);
        assertTrue(metrics.contains("meshpipe_gateway_status_store_running 1"), metrics);
        JsonNode api = Json.MAPPER.readTree(get(b + "/openapi.json").body());
        assertEquals("3.1.0", api.path("openapi").asText());
        assertTrue(api.path("paths").has("/jobs/{id}/download"));
    }

    /**
     * One instance restarts while clients keep asking both for status and downloads: answers are
     * 200 or 503 with Retry-After, never a wrong 404; a download either arrives whole (its bytes
     * match Content-Length and the ETag's SHA-256) or fails as a transfer, never a short 200.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void restartingOneInstanceNeverGivesAWrong404OrATruncatedDownload() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(submit(a, "sphere:40:15"));
        }
        for (String id : ids) {
            awaitState(a, id, "SUCCEEDED");
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger downloads = new AtomicInteger();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger transferErrors = new AtomicInteger();
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        Runnable client = () -> {
            while (running.get()) {
                for (String id : ids) {
                    for (String base : new String[] {a, b}) {
                        try {
                            HttpResponse<String> r = sendOnce("GET", base + "/jobs/" + id, null, null);
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                            } else if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()) {
                                unavailable.incrementAndGet();
                            } else {
                                wrong.add("status " + r.statusCode() + " " + r.body());
                            }
                            HttpResponse<byte[]> d = pipeline.http().send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + id + "/download"))
                                    .timeout(java.time.Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
                            if (d.statusCode() == 200) {
                                long length = d.headers().firstValueAsLong("Content-Length").orElse(-1);
                                String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(d.body()));
                                if (d.body().length != length || !d.headers().firstValue("ETag").orElse("").equals("\"" + sha + "\"")) {
                                    wrong.add("download of " + id + " was " + d.body().length + " bytes, announced " + length);
                                }
                                downloads.incrementAndGet();
                            } else if (d.statusCode() != 503) {
                                wrong.add("download " + d.statusCode());
                            }
                        } catch (java.io.IOException e) {
                            transferErrors.incrementAndGet(); // the restarting instance refused or cut the connection
                        } catch (Exception e) {
                            wrong.add(e.toString());
                        }
                    }
                }
            }
        };
        Thread reader = new Thread(client);
        reader.start();
        Thread.sleep(500);
        long t0 = System.nanoTime();
        second.close();
        second = new GatewayService(configB, GatewayOptions.defaults().withLinkSecret(SECRET), pipeline.store());
        second.start();
        b = "http://localhost:" + second.port();
        awaitReady(second);
        double restart = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(1000);
        running.set(false);
        reader.join();
        System.out.printf("RELIABILITY gateway-restart: restart took %.1f s; status 200 %d, 503+Retry-After %d, whole downloads %d,"
                + " refused or cut transfers %d, wrong answers %d%n", restart, ok.get(), unavailable.get(), downloads.get(),
                transferErrors.get(), wrong.size());
        assertTrue(wrong.isEmpty(), "wrong answers during restart: " + wrong);
        assertTrue(ok.get() > 0 && downloads.get() > 0);
    }

    HttpResponse<String> await(String url, int status) throws Exception {
        long end = System.currentTimeMillis() + 30_000;
        HttpResponse<String> r = get(url);
        while (r.statusCode() != status && System.currentTimeMillis() < end) {
            Thread.sleep(50);
            r = get(url);
        }
        return r;
    }
}
