package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.processor.ProcessorService;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * docker-compose.yml and the Dockerfile run for real only where a Docker engine answers
 * (deploy-test's ComposeDeploymentTest; CI has none), so they are at least kept consistent here,
 * with each other and with what ComposeDeploymentTest expects (deploy-test/compose/expectations.properties).
 */
class DeploymentFilesTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path DEPLOY_TEST = ROOT.resolve("deploy-test/compose");
    /** What Compose's {@code !reset} tag (drop the value of the files before) reads as here. */
    static final Object RESET = new Object() {
        @Override
        public String toString() {
            return "!reset";
        }
    };

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

    @Test
    void kraftClusterIdIsABase64Uuid() throws Exception {
        for (var broker : brokers(services("docker-compose.yml")).entrySet()) {
            String id = String.valueOf(env(broker.getValue()).get("CLUSTER_ID"));
            // The brokers' storage format refuses anything else, and they restart in a loop.
            assertDoesNotThrow(() -> Uuid.fromString(id), broker.getKey() + ": CLUSTER_ID " + id + " is not a base64 UUID");
        }
    }

    @Test
    void composeDeploymentTestFindsTheServicesPortsAndCredentialsItExpects() throws Exception {
        Properties expect = expectations();
        Map<String, Map<String, Object>> services = services("docker-compose.yml");
        assertEquals(new TreeSet<>(services.keySet()), new TreeSet<>(list(expect, "services")),
                "ComposeDeploymentTest starts every service of the compose file (withServices), and only those");

        Map<String, Object> processor = services.get(expect.getProperty("processor.service"));
        assertEquals(List.of("service", "processor"), processor.get("command"));
        assertEquals(ProcessorService.GROUP_ID, expect.getProperty("processor.group"), "the consumer group the kill test asks about");
        assertTrue(Integer.parseInt(expect.getProperty("processor.scale")) >= 2, "killing one processor needs another");
        assertFalse(processor.containsKey("ports") || processor.containsKey("container_name"), "a scaled service has no fixed host port or name");

        Map<String, Object> gateway = services.get(expect.getProperty("gateway.service"));
        assertEquals(List.of("service", "gateway"), gateway.get("command"));
        assertEquals(expect.getProperty("gateway.port"), env(gateway).get("MESHPIPE_HTTP_PORT"));
        assertEquals(expect.getProperty("gateway.tokens"), env(gateway).get("MESHPIPE_AUTH_TOKENS_FILE"));
        String tokens = Files.readString(DEPLOY_TEST.resolve("tokens"));
        String line = expect.getProperty("token") + "=" + expect.getProperty("tenant");
        assertTrue(tokens.lines().anyMatch(l -> l.strip().equals(line)), "deploy-test/compose/tokens gives the test's token its tenant");

        Map<String, Object> minio = services.get(expect.getProperty("minio.service"));
        assertTrue(String.valueOf(minio.get("command")).startsWith("server "), "MinIO serves S3 (on 9000 unless --address says otherwise)");
        assertFalse(String.valueOf(minio.get("command")).contains("--address"));
        assertEquals("9000", expect.getProperty("minio.port"));
        assertEquals(expect.getProperty("s3.access-key"), env(minio).get("MINIO_ROOT_USER"));
        assertEquals(expect.getProperty("s3.secret-key"), env(minio).get("MINIO_ROOT_PASSWORD"));
        String bucket = expect.getProperty("s3.bucket");
        assertTrue(String.valueOf(services.get("minio-bucket").get("entrypoint")).contains("mb --ignore-existing local/" + bucket),
                "minio-bucket makes the bucket the test reads");

        for (var e : meshpipeServices(services).entrySet()) {
            Map<String, Object> env = env(e.getValue());
            assertEquals("s3://" + bucket, env.get("MESHPIPE_STORAGE"), e.getKey());
            assertEquals("http://" + expect.getProperty("minio.service") + ":" + expect.getProperty("minio.port"), env.get("MESHPIPE_S3_ENDPOINT"), e.getKey());
            assertEquals(expect.getProperty("s3.access-key"), env.get("AWS_ACCESS_KEY_ID"), e.getKey());
            assertEquals(expect.getProperty("s3.secret-key"), env.get("AWS_SECRET_ACCESS_KEY"), e.getKey());
            assertEquals(expect.getProperty("s3.region"), env.get("AWS_REGION"), e.getKey());
        }
    }

    @Test
    void brokersPublishTheHostListenerComposeDeploymentTestConnectsTo() throws Exception {
        Properties expect = expectations();
        List<String> hostPorts = list(expect, "kafka.host.ports");
        Map<String, Map<String, Object>> services = services("docker-compose.yml");
        Map<String, Map<String, Object>> brokers = brokers(services);
        assertEquals(hostPorts.size(), brokers.size(), "one host port per broker");
        int i = 0;
        for (var broker : brokers.entrySet()) {
            String name = broker.getKey();
            Map<String, Object> env = env(broker.getValue());
            assertTrue(String.valueOf(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP")).contains("PLAINTEXT_HOST:PLAINTEXT"), name);
            Map<String, String> listeners = listeners(env.get("KAFKA_LISTENERS"));
            Map<String, String> advertised = listeners(env.get("KAFKA_ADVERTISED_LISTENERS"));
            String containerPort = listeners.get("PLAINTEXT_HOST").replaceFirst("^.*:", "");
            // A host client is sent to the advertised address: it must be the published port on the host the test names.
            assertEquals("${" + expect.getProperty("kafka.host.variable") + ":-localhost}:" + hostPorts.get(i), advertised.get("PLAINTEXT_HOST"), name);
            assertEquals(List.of(hostPorts.get(i) + ":" + containerPort), broker.getValue().get("ports"), name);
            // Inside the network the services keep the broker's own name.
            assertEquals(name + ":9092", advertised.get("PLAINTEXT"), name);
            for (var svc : meshpipeServices(services).entrySet()) {
                assertTrue(String.valueOf(env(svc.getValue()).get("MESHPIPE_KAFKA_BOOTSTRAP")).contains(name + ":9092"), svc.getKey());
            }
            i++;
        }
    }

    @Test
    void composeDeploymentTestsOverlaysChangeOnlyWhatTheySay() throws Exception {
        Properties expect = expectations();
        Map<String, Map<String, Object>> base = services("docker-compose.yml");
        Map<String, Map<String, Object>> test = services("deploy-test/compose/compose.test.yml");
        Map<String, Map<String, Object>> cpu = services("deploy-test/compose/compose.cpu.yml");
        assertTrue(base.keySet().containsAll(test.keySet()), "compose.test.yml names " + test.keySet());
        assertTrue(base.keySet().containsAll(cpu.keySet()), "compose.cpu.yml names " + cpu.keySet());

        Map<String, Object> gateway = test.get(expect.getProperty("gateway.service"));
        assertSame(RESET, gateway.get("ports"));
        assertSame(RESET, test.get(expect.getProperty("minio.service")).get("ports"));
        // Compose merges volumes by their target: the overlay's token file replaces deploy/tokens.
        String tokensTarget = expect.getProperty("gateway.tokens");
        List<String> volumes = volumes(gateway);
        assertEquals(1, volumes.size(), volumes.toString());
        String[] mount = volumes.get(0).split(":");
        assertEquals(tokensTarget, mount[1]);
        assertTrue(Files.isRegularFile(ROOT.resolve(mount[0])), mount[0] + " (relative to the repository root, the first compose file's folder)");
        assertTrue(volumes(base.get(expect.getProperty("gateway.service"))).stream().anyMatch(v -> v.split(":")[1].equals(tokensTarget)));

        assertSame(RESET, cpu.get(expect.getProperty("processor.service")).get("deploy"));
        assertTrue(base.get(expect.getProperty("processor.service")).containsKey("deploy"), "compose.cpu.yml drops the GPU reservation");
    }

    @Test
    void dockerfileBuildsAndRunsTheJarTheComposeServicesUse() throws Exception {
        Properties expect = expectations();
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        for (var e : meshpipeServices(services("docker-compose.yml")).entrySet()) {
            assertEquals(".", e.getValue().get("build"), e.getKey() + " is built from the Dockerfile at the root");
        }
        assertTrue(dockerfile.contains("./mvnw -B -q -DskipTests -pl standalone -am package"), "the image builds the runnable jar, not deploy-test");
        assertTrue(dockerfile.contains("COPY --from=build /src/standalone/target/meshpipe.jar /app/meshpipe.jar"));
        assertTrue(dockerfile.contains("ENTRYPOINT [\"java\", \"-XX:MaxRAMPercentage=75\", \"-jar\", \"/app/meshpipe.jar\"]"));
        assertTrue(dockerfile.lines().anyMatch(l -> l.equals("EXPOSE " + expect.getProperty("gateway.port"))));
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore"));
        assertTrue(ignored.contains("**/target/"), "stale build outputs stay out of the build context");
        assertTrue(ignored.stream().filter(l -> !l.startsWith("#"))
                        .noneMatch(l -> l.contains("src") || l.equals("*") || l.equals("**") || l.endsWith("pom.xml") || l.startsWith(".mvn")),
                "sources stay in the build context: " + ignored);
    }

    // --- reading the files ---

    /** Compose YAML, with Compose's own {@code !reset} and {@code !override} tags. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services(String file) throws IOException {
        SafeConstructor constructor = new SafeConstructor(new LoaderOptions()) {
            {
                yamlConstructors.put(new Tag("!reset"), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        return RESET;
                    }
                });
            }
        };
        try (Reader r = Files.newBufferedReader(ROOT.resolve(file))) {
            Map<String, Object> compose = new Yaml(constructor).load(r);
            return (Map<String, Map<String, Object>>) compose.get("services");
        }
    }

    static Map<String, Map<String, Object>> brokers(Map<String, Map<String, Object>> services) {
        Map<String, Map<String, Object>> brokers = new LinkedHashMap<>();
        services.forEach((name, svc) -> {
            if (String.valueOf(svc.get("image")).startsWith("apache/kafka")) {
                brokers.put(name, svc);
            }
        });
        return brokers;
    }

    static Map<String, Map<String, Object>> meshpipeServices(Map<String, Map<String, Object>> services) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        services.forEach((name, svc) -> {
            if ("meshpipe:latest".equals(svc.get("image"))) {
                out.put(name, svc);
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> env(Map<String, Object> service) {
        return (Map<String, Object>) service.get("environment");
    }

    @SuppressWarnings("unchecked")
    static List<String> volumes(Map<String, Object> service) {
        return (List<String>) service.get("volumes");
    }

    /** {@code NAME://host:port,...} as NAME to host:port. */
    static Map<String, String> listeners(Object value) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : String.valueOf(value).split(",")) {
            String[] parts = l.split("://", 2);
            out.put(parts[0], parts[1]);
        }
        return out;
    }

    static Properties expectations() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(DEPLOY_TEST.resolve("expectations.properties"))) {
            p.load(r);
        }
        return p;
    }

    static List<String> list(Properties p, String key) {
        return new ArrayList<>(Arrays.stream(p.getProperty(key).split(",")).map(String::strip).toList());
    }
}
