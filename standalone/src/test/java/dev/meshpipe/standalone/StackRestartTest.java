package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone stack keeps finished jobs across a restart on the same data directory. */
class StackRestartTest {
    @TempDir
    Path dir;

    @Test
    void aFinishedJobStaysDownloadableAfterARestart() throws Exception {
        Path data = dir.resolve("data");
        String id;
        String sha;
        try (Stack stack = Stack.start(data, 0, Duration.ofHours(24), "cpu")) {
            GatewayClient client = new GatewayClient(stack.baseUrl());
            id = client.submitJson(Map.of("input", Map.of("synthetic", "sphere:24:8"))).body().path("id").asText();
            JsonNode s = client.awaitFinished(id, Duration.ofSeconds(90));
            assertEquals("SUCCEEDED", s.path("state").asText());
            sha = s.path("result").path("sha256").asText();
        }
        try (Stack stack = Stack.start(data, 0, Duration.ofHours(24), "cpu")) {
            GatewayClient client = new GatewayClient(stack.baseUrl());
            JsonNode s = client.awaitFinished(id, Duration.ofSeconds(90));
            assertEquals("SUCCEEDED", s.path("state").asText());
            assertEquals(sha, s.path("result").path("sha256").asText());
            Path zip = dir.resolve("again.zip");
            assertEquals(200, client.download(id, zip).status());
            assertEquals(s.path("result").path("size").asLong(), Files.size(zip));
        }
    }

}
