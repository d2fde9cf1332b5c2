package dev.meshpipe.standalone;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.gateway.GatewayOptions;
import dev.meshpipe.testsupport.PipelineExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With tokens on, no request reaches another tenant's job, on any route. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayAuthTest {
    static final byte[] SECRET = "auth-test-secret".getBytes(StandardCharsets.UTF_8);
    static final String ACME = "token-acme-0123456789";
    static final String GLOBEX = "token-globex-9876543210";
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("auth", 2,
            GatewayOptions.defaults().withLinkSecret(SECRET).withTokens(Map.of(ACME, "acme", GLOBEX, "globex")));
    String acmeJob;

    @BeforeAll
    void submitAcmesJob() throws Exception {
        HttpResponse<String> r = send("POST", "/jobs", ACME, "{\"input\":{\"synthetic\":\"sphere:16:5\"}}");
        assertEquals(202, r.statusCode(), r.body());
        acmeJob = Json.MAPPER.readTree(r.body()).path("id").asText();
        awaitSucceeded(acmeJob, ACME);
    }

    HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(pipeline.base() + path)).timeout(Duration.ofSeconds(20))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            r.header("Content-Type", "application/json");
        }
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return pipeline.http().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode awaitSucceeded(String id, String token) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < end) {
            HttpResponse<String> r = send("GET", "/jobs/" + id, token, null);
            if (r.statusCode() == 200 && Json.MAPPER.readTree(r.body()).path("state").asText().equals("SUCCEEDED")) {
                return Json.MAPPER.readTree(r.body());
            }
            Thread.sleep(50);
        }
        throw new AssertionError(id + " did not succeed");
    }

    @Test
    void everyJobRouteNeedsAValidToken() throws Exception {
        String[][] routes = {{"POST", "/jobs"}, {"GET", "/jobs"}, {"GET", "/jobs/" + acmeJob}, {"DELETE", "/jobs/" + acmeJob},
            {"GET", "/jobs/" + acmeJob + "/download"}, {"HEAD", "/jobs/" + acmeJob + "/download"}, {"GET", "/jobs/" + acmeJob + "/preview.png"},
            {"GET", "/jobs/" + acmeJob + "/mesh.glb"}, {"GET", "/jobs/" + acmeJob + "/quality.json"}};
        for (String[] route : routes) {
            for (String token : new String[] {null, "not-a-token"}) {
                HttpResponse<String> r = send(route[0], route[1], token, route[0].equals("POST") ? "{}" : null);
                assertEquals(401, r.statusCode(), route[0] + " " + route[1]);
                assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
                if (!route[0].equals("HEAD")) {
                    assertProblem(r, 401, "UNAUTHORIZED");
                }
            }
        }
        // The web page and its scripts hold no job data; the page asks for a token itself.
        for (String open : new String[] {"/health/live", "/health/ready", "/metrics", "/openapi.json", "/", "/app.js"}) {
            assertEquals(200, send("GET", open, null, null).statusCode(), open);
        }
    }

    @Test
    void anotherTenantsJobLooksExactlyLikeAMissingOne() throws Exception {
        for (String suffix : new String[] {"", "/download", "/preview.png", "/mesh.glb", "/quality.json"}) {
            HttpResponse<String> other = send("GET", "/jobs/" + acmeJob + suffix, GLOBEX, null);
            HttpResponse<String> missing = send("GET", "/jobs/no-such-job-123" + suffix, GLOBEX, null);
            assertEquals(404, other.statusCode(), suffix);
            JsonNode o = Json.MAPPER.readTree(other.body());
            JsonNode m = Json.MAPPER.readTree(missing.body());
            assertEquals(m.path("code"), o.path("code"));
            assertEquals(m.path("title"), o.path("title"));
            assertEquals(m.fieldNames().next(), o.fieldNames().next());
            assertEquals(m.size(), o.size());
        }
        assertEquals(404, send("DELETE", "/jobs/" + acmeJob, GLOBEX, null).statusCode());
        assertEquals(404, send("HEAD", "/jobs/" + acmeJob + "/download", GLOBEX, null).statusCode());
        // The route gateways use to ask each other answers only signed requests.
        int internal = send("GET", "/internal/status/" + acmeJob, GLOBEX, null).statusCode();
        assertTrue(internal == 401 || internal == 403 || internal == 404, "internal route answered " + internal);
        assertEquals(200, send("GET", "/jobs/" + acmeJob, ACME, null).statusCode());
        assertEquals(200, send("GET", "/jobs/" + acmeJob + "/download", ACME, null).statusCode());
    }

    @Test
    void jobsFromKafkaProducersBelongToTheirTenant() throws Exception {
        pipeline.cluster().produce(Topics.SUBMITTED, "kafka-globex-1", new JobSubmission(new InputRef.Synthetic("sphere:12:4"), null, "globex", Instant.now()));
        awaitSucceeded("kafka-globex-1", GLOBEX);
        assertEquals(404, send("GET", "/jobs/kafka-globex-1", ACME, null).statusCode());
    }

    @Test
    void idempotencyKeysAreKeptApartPerTenant() throws Exception {
        String body = "{\"input\":{\"synthetic\":\"sphere:12:4\"}}";
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs")).header("Content-Type", "application/json")
                .header("Idempotency-Key", "same-key").POST(HttpRequest.BodyPublishers.ofString(body));
        String a = Json.MAPPER.readTree(pipeline.http().send(req.copy().header("Authorization", "Bearer " + ACME).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("id").asText();
        String g = Json.MAPPER.readTree(pipeline.http().send(req.copy().header("Authorization", "Bearer " + GLOBEX).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("id").asText();
        assertNotEquals(a, g);
    }

    @Test
    void signedDownloadLinksWorkWithoutATokenUntilTheyExpire() throws Exception {
        JsonNode status = awaitSucceeded(acmeJob, ACME);
        String link = status.path("signedDownload").asText();
        assertTrue(link.startsWith("/jobs/" + acmeJob + "/download?expires="), status.toString());
        assertEquals(200, send("GET", link, null, null).statusCode());
        assertEquals(401, send("GET", link.substring(0, link.length() - 1) + (link.endsWith("0") ? "1" : "0"), null, null).statusCode());
        long past = Instant.now().minusSeconds(5).getEpochSecond();
        assertEquals(401, send("GET", "/jobs/" + acmeJob + "/download?expires=" + past + "&signature=" + sign("download:" + acmeJob + ":" + past), null, null).statusCode());
        // A link for one job does not open another.
        String other = link.replace(acmeJob, "kafka-globex-1");
        assertEquals(401, send("GET", other, null, null).statusCode());
    }

    static String sign(String message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }
}
