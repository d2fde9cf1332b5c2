package dev.meshpipe.standalone;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.common.store.ObjectInfo;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.gateway.GatewayOptions;
import dev.meshpipe.testsupport.TestCluster;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Object storage going away: jobs wait and retry, the gateway answers 503 with Retry-After, a
 * short outage ends with the job done, and a long one with FAILED STORAGE_UNAVAILABLE. The store
 * is a real file store behind a switch that makes every call fail as a network outage would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StorageOutageTest {
    /** A real store that can be switched off. */
    static final class SwitchableStore implements ObjectStore {
        final ObjectStore inner;
        final AtomicBoolean down = new AtomicBoolean();

        SwitchableStore(ObjectStore inner) {
            this.inner = inner;
        }

        private void check() throws IOException {
            if (down.get()) {
                throw new IOException("connection refused (storage is down)");
            }
        }

        @Override
        public Upload create(String key) throws IOException {
            check();
            return inner.create(key);
        }

        @Override
        public InputStream open(String key, long offset, long length) throws IOException {
            check();
            return inner.open(key, offset, length);
        }

        @Override
        public Optional<ObjectInfo> head(String key) throws IOException {
            check();
            return inner.head(key);
        }

        @Override
        public void delete(String key) throws IOException {
            check();
            inner.delete(key);
        }

        @Override
        public List<ObjectInfo> list(String prefix) throws IOException {
            check();
            return inner.list(prefix);
        }
    }

    TestCluster cluster;
    Pipeline pipeline;
    SwitchableStore store;
    GatewayClient client;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("meshpipe-outage-test");
        cluster = new TestCluster(1);
        MeshpipeConfig config = cluster.config(dir, "outage", 2).withStorageRetries(4, Duration.ofMillis(300));
        store = new SwitchableStore(new FileObjectStore(dir.resolve("objects")));
        pipeline = Pipeline.start(config, GatewayOptions.defaults(), store);
        pipeline.awaitReady(60_000);
        base = "http://localhost:" + pipeline.gateway().port();
        client = new GatewayClient(base);
    }

    @AfterAll
    void stop() throws Exception {
        store.down.set(false);
        if (pipeline != null) {
            pipeline.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    JsonNode awaitFinished(String id) throws Exception {
        return client.awaitFinished(id, Duration.ofSeconds(90));
    }

    @Test
    void downloadsAnswer503WhileStorageIsDownAndStatusStillWorks() throws Exception {
        String id = client.submitJson(Map.of("input", Map.of("synthetic", "sphere:16:5"))).body().path("id").asText();
        assertEquals("SUCCEEDED", awaitFinished(id).path("state").asText());
        store.down.set(true);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + id + "/download")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertProblem(r, 503, "STORAGE_UNAVAILABLE");
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
            assertEquals(200, client.status(id).status());
        } finally {
            store.down.set(false);
        }
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + id + "/download")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    void aShortOutageDelaysAJobAndItStillCompletes() throws Exception {
        store.down.set(true);
        String id;
        try {
            id = client.submitJson(Map.of("input", Map.of("synthetic", "sphere:16:5"))).body().path("id").asText();
            Thread.sleep(700);
        } finally {
            store.down.set(false);
        }
        assertEquals("SUCCEEDED", awaitFinished(id).path("state").asText());
    }

    @Test
    void aLongOutageFailsTheJobWithStorageUnavailable() throws Exception {
        store.down.set(true);
        try {
            String id = client.submitJson(Map.of("input", Map.of("synthetic", "sphere:16:5"))).body().path("id").asText();
            JsonNode s = awaitFinished(id);
            assertEquals("FAILED", s.path("state").asText());
            assertEquals("STORAGE_UNAVAILABLE", s.path("error").path("code").asText());
        } finally {
            store.down.set(false);
        }
    }
}
