package dev.meshpipe.standalone;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.gateway.GatewayOptions;
import dev.meshpipe.gateway.GatewayService;
import dev.meshpipe.testsupport.PipelineExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /jobs} against a real broker with two gateway instances and tokens on: each
 * instance holds some partitions of the index, so every page is gathered from both. Two
 * tenants' jobs are spread over all four partitions; each tenant sees exactly its own, newest
 * first, on either instance.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingTest {
    static final String ACME = "token-acme-listing";
    static final String GLOBEX = "token-globex-listing";
    static final GatewayOptions OPTIONS = GatewayOptions.defaults().withLinkSecret("listing-test".getBytes(StandardCharsets.UTF_8))
            .withTokens(Map.of(ACME, "acme", GLOBEX, "globex"));
    static final Instant T0 = Instant.parse("2026-02-01T00:00:00Z");
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("listing", 4, OPTIONS);
    GatewayService second;
    String b;
    final List<String> acme = new ArrayList<>();
    final List<String> globex = new ArrayList<>();
    final List<String> failed = new ArrayList<>();

    @BeforeAll
    void jobsOfTwoTenants() throws Exception {
        second = GatewayTest.startAnother(pipeline, "listing-b", OPTIONS);
        b = "http://localhost:" + second.port();
        // Older than the POSTed jobs, one second apart, alternating tenants, until each tenant has
        // jobs in all four partitions (so on both instances); every third one FAILED.
        Map<String, Set<Integer>> partitions = Map.of("acme", new HashSet<>(), "globex", new HashSet<>());
        for (int i = 0; i < 16 || partitions.values().stream().anyMatch(p -> p.size() < 4); i++) {
            String tenant = i % 2 == 0 ? "globex" : "acme";
            String id = tenant + "-list-" + i;
            JobState state = i % 3 == 0 ? JobState.FAILED : JobState.QUEUED;
            pipeline.cluster().produce(Topics.EVENTS, id, JobEvent.of(id, state, 0, "s").withSubmission(tenant, null, T0.plusSeconds(i)));
            (tenant.equals("acme") ? acme : globex).add(0, id);
            if (state == JobState.FAILED) {
                failed.add(0, id);
            }
            partitions.get(tenant).add(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % 4);
        }
        // And one through each instance's POST, the real submission path (newest of all).
        acme.add(0, submit(pipeline.base(), ACME));
        globex.add(0, submit(b, GLOBEX));
    }

    @AfterAll
    void stopSecond() {
        if (second != null) {
            second.close();
        }
    }

    @Test
    void eachTenantSeesExactlyItsOwnJobsNewestFirstOnEitherInstance() throws Exception {
        for (String base : List.of(pipeline.base(), b)) {
            assertEquals(acme, awaitAll(base, ACME, 3, "", acme.size()), base);
            assertEquals(globex, awaitAll(base, GLOBEX, 2, "", globex.size()), base);
        }
        for (String base : List.of(pipeline.base(), b)) {
            String metrics = pipeline.http().send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("route=\"/internal/jobs\",status=\"200\""), "each instance asked the other: " + base);
        }
        assertEquals(failed.stream().filter(acme::contains).toList(), listAll(b, ACME, 2, "&state=FAILED"));
        assertEquals(failed.stream().filter(globex::contains).toList(), listAll(pipeline.base(), GLOBEX, 100, "&state=failed"));
    }

    @Test
    void anotherTenantsCursorPagesOnlyTheCallersOwnList() throws Exception {
        awaitAll(pipeline.base(), ACME, 100, "", acme.size());
        JsonNode page = page(pipeline.base(), GLOBEX, "?limit=1");
        String cursor = page.get("next").asText();
        List<String> after = new ArrayList<>();
        for (JsonNode j : page(b, ACME, "?limit=100&cursor=" + cursor).get("jobs")) {
            after.add(j.get("id").asText());
        }
        assertTrue(after.stream().allMatch(acme::contains), after.toString());
        HttpResponse<String> bad = send(b, ACME, "?state=RUNNING");
        assertProblem(bad, 400, "INVALID_PARAMETER");
        assertProblem(send(b, null, ""), 401, "UNAUTHORIZED");
    }

    @Test
    void theCliPrintsATableNewestFirstFollowingTheCursorWithAll() throws Exception {
        awaitAll(b, ACME, 100, "", acme.size());
        MeshCommandTest.Run r = MeshCommandTest.run("jobs", "--all", "--limit", "4", "--server", b, "--token", ACME);
        assertEquals(0, r.exit(), r.err());
        List<String> rows = r.out().lines().skip(1).map(l -> l.split("\\s+")[0]).toList();
        assertEquals(acme, rows, r.out());
        MeshCommandTest.Run one = MeshCommandTest.run("jobs", "--limit", "2", "--state", "queued", "--server", b, "--token", GLOBEX);
        assertEquals(0, one.exit(), one.err());
        assertEquals(3, one.out().lines().count(), one.out());
        assertTrue(one.out().lines().skip(1).allMatch(l -> l.contains(" QUEUED ")), one.out());
        assertTrue(one.err().contains("--all"), "says there is more: " + one.err());
        MeshCommandTest.Run bad = MeshCommandTest.run("jobs", "--state", "RUNNING", "--server", b, "--token", GLOBEX);
        assertEquals(ClientCommands.REFUSED, bad.exit());
        assertTrue(bad.err().contains("INVALID_PARAMETER"), bad.err());
    }

    /** Follows the cursor until the tenant's list has {@code size} jobs (events reach the store a moment later). */
    List<String> awaitAll(String base, String token, int limit, String filter, int size) throws Exception {
        long end = System.currentTimeMillis() + 60_000;
        List<String> ids = listAll(base, token, limit, filter);
        while (ids.size() < size && System.currentTimeMillis() < end) {
            Thread.sleep(200);
            ids = listAll(base, token, limit, filter);
        }
        return ids;
    }

    List<String> listAll(String base, String token, int limit, String filter) throws Exception {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = page(base, token, "?limit=" + limit + filter + (cursor == null ? "" : "&cursor=" + cursor));
            assertTrue(page.get("jobs").size() <= limit);
            page.get("jobs").forEach(j -> ids.add(j.get("id").asText()));
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
        } while (cursor != null);
        return ids;
    }

    JsonNode page(String base, String token, String query) throws Exception {
        HttpResponse<String> r = send(base, token, query);
        long end = System.currentTimeMillis() + 30_000;
        while (r.statusCode() == 503 && System.currentTimeMillis() < end) { // rebalancing: unsure, never partial
            Thread.sleep(100);
            r = send(base, token, query);
        }
        assertEquals(200, r.statusCode(), r.body());
        return Json.MAPPER.readTree(r.body());
    }

    HttpResponse<String> send(String base, String token, String query) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + "/jobs" + query)).timeout(Duration.ofSeconds(20)).GET();
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return pipeline.http().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    String submit(String base, String token) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/jobs")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":{\"synthetic\":\"sphere:16:5\"}}")).build();
        HttpResponse<String> res = pipeline.http().send(r, HttpResponse.BodyHandlers.ofString());
        assertEquals(202, res.statusCode(), res.body());
        return Json.MAPPER.readTree(res.body()).get("id").asText();
    }
}
