package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.MeshpipeConfig;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml is not run in CI (no Docker engine), so it is at least kept consistent. */
class DeploymentFilesTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @SuppressWarnings("unchecked")
    @Test
    void composeFileUsesOnlyKnownConfigKeysAndServices() throws Exception {
        Map<String, Object> compose;
        try (Reader r = Files.newBufferedReader(ROOT.resolve("docker-compose.yml"))) {
            compose = new Yaml().load(r);
        }
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        Set<String> meshpipeServices = new HashSet<>();
        int brokers = 0;
        for (var e : services.entrySet()) {
            Map<String, Object> svc = e.getValue();
            Object image = svc.get("image");
            if (image != null && image.toString().startsWith("apache/kafka")) {
                brokers++;
                continue;
            }
            if (!"meshpipe:latest".equals(image)) {
                continue;
            }
            List<String> command = (List<String>) svc.get("command");
            assertEquals("service", command.get(0), e.getKey());
            ServiceCommand.Name.valueOf(command.get(1));
            meshpipeServices.add(command.get(1));
            Map<String, Object> env = (Map<String, Object>) svc.get("environment");
            for (String key : env.keySet()) {
                if (key.startsWith("MESHPIPE_")) {
                    assertTrue(MeshpipeConfig.ENV_KEYS.contains(key), e.getKey() + " sets unknown " + key);
                } else {
                    assertTrue(key.startsWith("AWS_"), e.getKey() + " sets " + key + ", neither meshpipe's nor the AWS SDK's");
                }
            }
            assertTrue(env.containsKey("MESHPIPE_KAFKA_BOOTSTRAP"), e.getKey());
            assertTrue(env.containsKey("MESHPIPE_STORAGE"), e.getKey());
        }
        assertEquals(3, brokers);
        assertEquals(Set.of("ingest", "processor", "packager", "gateway"), meshpipeServices);
        Map<String, Object> processor = services.get("processor");
        String gpu = String.valueOf(((Map<String, Object>) processor.get("deploy")).get("resources"));
        assertTrue(gpu.contains("gpu"), "the processor reserves a GPU");
        String storage = String.valueOf(((Map<String, Object>) services.get("ingest").get("environment")).get("MESHPIPE_STORAGE"));
        assertTrue(storage.startsWith("s3://"), "services share S3 (MinIO) storage");
        assertTrue(services.containsKey("minio"));
    }

    @Test
    void everyConfigKeyIsDocumented() throws Exception {
        String doc = Files.readString(ROOT.resolve("docs/configuration.md"));
        for (String key : MeshpipeConfig.ENV_KEYS) {
            assertTrue(doc.contains("`" + key + "`"), key + " is missing from docs/configuration.md");
        }
    }
}
