package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.store.FileObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./meshpipe up} reads the documented MESHPIPE_* variables as {@code service} does. */
class StackConfigTest {
    @TempDir
    Path dir;

    @Test
    void theDocumentedVariablesReachTheEmbeddedStack() throws Exception {
        Map<String, String> env = Map.of("MESHPIPE_MAX_UPLOAD_BYTES", "12345", "MESHPIPE_MAX_VOXELS", "6789",
                "MESHPIPE_INPUT_RETENTION", "2h", "MESHPIPE_PROCESSOR_THREADS", "3", "MESHPIPE_STORAGE_RETRIES", "7",
                "MESHPIPE_STORAGE_BACKOFF", "3s", "MESHPIPE_KAFKA_BOOTSTRAP", "elsewhere:9092", "MESHPIPE_STORAGE", "s3://elsewhere");
        FileObjectStore store = new FileObjectStore(dir.resolve("objects"));
        MeshpipeConfig c = Stack.config(env, "localhost:1234", dir, store, 8181, Duration.ofHours(5), "cpu");
        assertEquals(12345, c.maxUploadBytes());
        assertEquals(6789, c.maxVoxels());
        assertEquals(Duration.ofHours(2), c.inputRetention());
        assertEquals(3, c.processorThreads());
        assertEquals(7, c.storageRetries());
        assertEquals(Duration.ofSeconds(3), c.storageBackoff());
        // What the stack decides itself: its own broker and its own data directory.
        assertEquals("localhost:1234", c.bootstrapServers());
        assertEquals("file:" + store.root(), c.storage());
        assertEquals(8181, c.httpPort());
        assertEquals(Duration.ofHours(5), c.retention());
        assertEquals("cpu", c.device());

        MeshpipeConfig plain = Stack.config(Map.of(), "localhost:1234", dir, store, 0, Duration.ofHours(24), "auto");
        assertEquals(MeshpipeConfig.DEFAULT_MAX_UPLOAD_BYTES, plain.maxUploadBytes());
        assertEquals(Duration.ofHours(24), plain.inputRetention());
    }

    @Test
    void upAllowsPrivateCallbackAddressesUnlessTheEnvironmentSaysOtherwise() {
        assertEquals(true, Stack.gatewayOptions(Map.of()).callbacks().allowPrivate());
        assertEquals(false, Stack.gatewayOptions(Map.of("MESHPIPE_CALLBACK_ALLOW_PRIVATE", "false")).callbacks().allowPrivate());
        assertEquals(false, dev.meshpipe.gateway.GatewayOptions.fromEnv(Map.of()).callbacks().allowPrivate(), "a service's default");
        var c = dev.meshpipe.gateway.GatewayOptions.fromEnv(Map.of("MESHPIPE_WEBHOOK_SECRET", "s", "MESHPIPE_CALLBACK_ATTEMPTS", "3",
                "MESHPIPE_CALLBACK_BACKOFF", "1s", "MESHPIPE_CALLBACK_TIMEOUT", "5s")).callbacks();
        assertEquals(3, c.attempts());
        assertEquals(Duration.ofSeconds(1), c.backoff());
        assertEquals(Duration.ofSeconds(5), c.timeout());
        assertEquals("s", new String(c.secret(), java.nio.charset.StandardCharsets.UTF_8));
    }
}
