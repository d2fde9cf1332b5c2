package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import io.javalin.Javalin;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /jobs} in-process over {@link InMemoryJobs}: order, paging, the state filter, bad parameters, tenants. */
class ListRoutesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;
    private final InMemoryJobs jobs = new InMemoryJobs();

    private Javalin app(boolean tokens) throws IOException {
        Auth auth = new Auth(tokens ? Map.of("token-a", "tenant-a", "token-b", "tenant-b") : Map.of(),
                "secret".getBytes(StandardCharsets.UTF_8));
        Javalin a = GatewayHttp.create(Duration.ofSeconds(30), c -> { });
        GatewayHttp.jobRoutes(a, new RouteContext(new FileObjectStore(dir), jobs, jobs, auth, 1000, VolumeLimits.defaults(),
                EdgeLimits.defaults().withMinFreeBytes(0), Duration.ofHours(1)));
        return a;
    }

    @BeforeEach
    void jobs() {
        // a0..a6 for tenant-a, one a second; a3 and a4 submitted in the same millisecond (ties go by id).
        for (int i = 0; i < 7; i++) {
            JobState state = i % 2 == 0 ? JobState.SUCCEEDED : JobState.PROCESSING;
            jobs.put("tenant-a", JobEvent.of("a" + i, state, 10, "s"), T0.plusSeconds(i == 4 ? 3 : i));
        }
        jobs.put("tenant-b", JobEvent.of("b0", JobState.QUEUED, 0, "q"), T0.plusSeconds(100));
    }

    @Test
    void aTenantsJobsNewestFirstPagedToTheEnd() throws IOException {
        JavalinTest.test(app(true), (server, client) -> {
            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = json(get(client, "/jobs?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), "token-a"));
                page.get("jobs").forEach(j -> seen.add(j.get("id").asText()));
                cursor = page.get("next").isNull() ? null : page.get("next").asText();
                pages++;
            } while (cursor != null);
            assertEquals(List.of("a6", "a5", "a3", "a4", "a2", "a1", "a0"), seen);
            assertEquals(3, pages);
            JsonNode first = json(get(client, "/jobs", "token-a")).get("jobs").get(0);
            assertEquals("SUCCEEDED", first.get("state").asText());
            assertNotNull(first.get("signedDownload"), "the same view GET /jobs/{id} gives");
            assertEquals(List.of("b0"), ids(json(get(client, "/jobs", "token-b"))));
            JsonNode exact = json(get(client, "/jobs?limit=7", "token-a"));
            assertEquals(7, exact.get("jobs").size());
            assertTrue(exact.get("next").isNull(), "no cursor once the list is done");
        });
    }

    @Test
    void theStateFilterAndAnotherTenantsCursorPageOnlyTheCallersOwnJobs() throws IOException {
        JavalinTest.test(app(true), (server, client) -> {
            assertEquals(List.of("a5", "a3", "a1"), ids(json(get(client, "/jobs?state=processing", "token-a"))));
            assertEquals(List.of("a6", "a5", "a3", "a4"), ids(json(get(client, "/jobs?state=SUCCEEDED,PROCESSING&limit=4", "token-a"))));
            assertEquals(List.of(), ids(json(get(client, "/jobs?state=FAILED", "token-a"))));
            String aCursor = json(get(client, "/jobs?limit=1", "token-a")).get("next").asText();
            assertEquals(List.of(), ids(json(get(client, "/jobs?cursor=" + aCursor, "token-b"))),
                    "tenant-b's only job is newer than the cursor's place, and a's never show");
        });
    }

    @Test
    void withoutTokensEveryJobIsListed() throws IOException {
        JavalinTest.test(app(false), (server, client) -> {
            List<String> ids = ids(json(get(client, "/jobs?limit=100", null)));
            assertEquals(List.of("b0", "a6", "a5", "a3", "a4", "a2", "a1", "a0"), ids);
        });
    }

    @Test
    void badParametersAre400EachNamingItAndOtherMethods405() throws IOException {
        JavalinTest.test(app(true), (server, client) -> {
            assertProblem(get(client, "/jobs?state=RUNNING", "token-a"), 400, ErrorCode.INVALID_PARAMETER, "state");
            assertProblem(get(client, "/jobs?limit=0", "token-a"), 400, ErrorCode.INVALID_PARAMETER, "limit");
            assertProblem(get(client, "/jobs?limit=101", "token-a"), 400, ErrorCode.INVALID_PARAMETER, "limit");
            assertProblem(get(client, "/jobs?limit=ten", "token-a"), 400, ErrorCode.INVALID_PARAMETER, "limit");
            assertProblem(get(client, "/jobs?cursor=not*base64", "token-a"), 400, ErrorCode.INVALID_PARAMETER, "cursor");
            String forged = Base64.getUrlEncoder().encodeToString("1:12:../x".getBytes(StandardCharsets.UTF_8));
            assertProblem(get(client, "/jobs?cursor=" + forged, "token-a"), 400, ErrorCode.INVALID_PARAMETER, "cursor");
            assertProblem(get(client, "/jobs", null), 401, ErrorCode.UNAUTHORIZED, null);
            Response put = client.request("/jobs", b -> b.header("Authorization", "Bearer token-a")
                    .put(RequestBody.create(new byte[0])));
            assertEquals("GET, HEAD, POST", put.header("Allow"));
            assertProblem(put, 405, ErrorCode.METHOD_NOT_ALLOWED, null);
            Response head = client.request("/jobs", b -> b.header("Authorization", "Bearer token-a").head());
            assertEquals(200, head.code());
            jobs.failure = () -> StatusStore.unavailable("an instance is unreachable");
            assertProblem(get(client, "/jobs", "token-a"), 503, ErrorCode.STATUS_UNAVAILABLE, null);
        });
    }

    private static Response get(HttpClient client, String path, String token) {
        return client.request(path, b -> {
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
        });
    }

    private static JsonNode json(Response r) throws IOException {
        String text = r.body().string();
        assertEquals(200, r.code(), text);
        return Json.MAPPER.readTree(text);
    }

    private static List<String> ids(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("jobs").forEach(j -> out.add(j.get("id").asText()));
        return out;
    }

    private static void assertProblem(Response r, int status, ErrorCode code, String parameter) throws IOException {
        String text = r.body().string();
        assertEquals(status, r.code(), text);
        assertEquals(Problem.MEDIA_TYPE, r.header("Content-Type"), text);
        JsonNode body = Json.MAPPER.readTree(text);
        assertEquals(code.name(), body.get("code").asText(), text);
        if (parameter != null) {
            assertEquals(parameter, body.get("parameter").asText(), text);
        }
    }
}
