package dev.meshpipe.deploytest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.ContainerNetwork;
import dev.meshpipe.common.Topics;
import dev.meshpipe.mesh.io.TestNifti;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.wait.strategy.Wait;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The deployment itself, where a Docker engine answers: {@code docker-compose.yml} run by
 * Testcontainers' {@link ComposeContainer} (local {@code docker compose}, image built from the
 * {@code Dockerfile}): three KRaft brokers, MinIO, ingest, packager, gateway and two processors.
 * A volume is uploaded over HTTP and a synthetic job published on Kafka from the host; both ZIPs
 * are downloaded, checked and found in MinIO. Then the processor working a long job is killed and
 * the job still completes exactly once (one record on {@code meshpipe.jobs.completed}).
 *
 * <p>Where no engine answers (CI here) the class is skipped with one line, by Testcontainers' own
 * check. Names, ports and credentials come from {@code compose/expectations.properties}, which
 * standalone's DeploymentFilesTest checks against the compose file and the Dockerfile on every build.
 * {@code -Dmeshpipe.compose.gpu=true} keeps the processors' GPU reservation (NVIDIA runtime needed);
 * {@code -Dmeshpipe.compose.logs=true} tails every container's log.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeDeploymentTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path COMPOSE = ROOT.resolve("deploy-test/compose");
    static final Properties EXPECT = load(COMPOSE.resolve("expectations.properties"));
    static final String SKIPPED = "ComposeDeploymentTest skipped: no Docker engine answers (Testcontainers'"
            + " DockerClientFactory.isDockerAvailable() is false; -Dmeshpipe.compose.dockerLog=INFO shows why); docker-compose.yml is only checked statically here (DeploymentFilesTest)";
    /**
     * Long enough to kill its processor mid-way: `./meshpipe mesh gyroid:288:9 --formats stl --threads 1`
     * took 40 s on a busy 2-core machine (7.6 million triangles, a ZIP of a few hundred MB).
     */
    static final String LONG_JOB = "gyroid:288:9";
    static final Duration JOB_TIMEOUT = Duration.ofMinutes(10);
    static final ObjectMapper JSON = new ObjectMapper();

    static ComposeContainer stack;
    static HttpClient http;
    static String gateway;
    static String kafkaBootstrap;
    static S3Client s3;

    static boolean docker;

    @BeforeAll
    static void startTheStack() {
        docker = DockerClientFactory.instance().isDockerAvailable();
        if (!docker) {
            System.out.println(SKIPPED);
            return; // each test is then skipped (assumption below), so the report counts them as skipped, not run
        }

        List<File> files = new ArrayList<>(List.of(ROOT.resolve("docker-compose.yml").toFile(), COMPOSE.resolve("compose.test.yml").toFile()));
        if (!Boolean.getBoolean("meshpipe.compose.gpu")) {
            files.add(COMPOSE.resolve("compose.cpu.yml").toFile());
        }
        String dockerHost = DockerClientFactory.instance().dockerHostIpAddress();
        String gw = expect("gateway.service");
        int gwPort = Integer.parseInt(expect("gateway.port"));
        String minio = expect("minio.service");
        int minioPort = Integer.parseInt(expect("minio.port"));
        // The (List<File>) constructor runs the local `docker compose`. withStartupTimeout comes
        // before withExposedService: each exposed service's wait takes the timeout set at that point.
        stack = new ComposeContainer(files)
                // A scaled service alone would start only itself and what it depends on.
                .withServices(list("services").toArray(String[]::new))
                .withScaledService(expect("processor.service"), Integer.parseInt(expect("processor.scale")))
                .withBuild(true)
                .withPull(false) // compose pulls what it lacks; meshpipe:latest is built, not pulled
                .withEnv(expect("kafka.host.variable"), dockerHost)
                .withTailChildContainers(Boolean.getBoolean("meshpipe.compose.logs"))
                .withStartupTimeout(Duration.ofMinutes(5))
                .withExposedService(gw, gwPort, Wait.forHttp("/health/ready").forStatusCode(200))
                .withExposedService(minio, minioPort, Wait.forHttp("/minio/health/ready").forStatusCode(200));
        stack.start();

        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        gateway = "http://" + stack.getServiceHost(gw, gwPort) + ":" + stack.getServicePort(gw, gwPort);
        kafkaBootstrap = list("kafka.host.ports").stream().map(p -> dockerHost + ":" + p).collect(Collectors.joining(","));
        s3 = S3Client.builder()
                .endpointOverride(URI.create("http://" + stack.getServiceHost(minio, minioPort) + ":" + stack.getServicePort(minio, minioPort)))
                .region(Region.of(expect("s3.region")))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(expect("s3.access-key"), expect("s3.secret-key"))))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    @BeforeEach
    void needsDocker() {
        assumeTrue(docker, SKIPPED);
    }

    @AfterAll
    static void stopTheStack() {
        if (s3 != null) {
            s3.close();
        }
        if (stack != null) {
            try {
                saveLogs(Path.of("target/compose-logs"));
            } finally {
                stack.stop(); // compose down -v: containers, network and the MinIO volume
            }
        }
    }

    @Test
    @Order(1)
    void aVolumeUploadedOverHttpIsMeshedAndItsZipIsDownloadedAndInMinio() throws Exception {
        byte[] volume = TestNifti.gzip(TestNifti.ball(48, 18));
        HttpResponse<String> posted = http.send(request("/jobs?formats=stl,glb&name=compose-http")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(volume)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, posted.statusCode(), posted.body());
        String id = JSON.readTree(posted.body()).path("id").asText();

        JsonNode done = awaitSucceeded(id);
        checkDownload(id, done, Set.of("mesh.stl", "mesh.glb"));
        checkInMinio(done);
        assertFalse(s3.listObjectsV2(b -> b.bucket(expect("s3.bucket")).prefix("inputs/" + id + "/")).contents().isEmpty(),
                "the upload streamed into MinIO under inputs/" + id + "/");
    }

    @Test
    @Order(2)
    void aJobPublishedOnKafkaFromTheHostIsMeshedAndItsZipIsDownloadedAndInMinio() throws Exception {
        String id = "compose-kafka-" + UUID.randomUUID().toString().substring(0, 8);
        String submission = "{\"input\": {\"synthetic\": \"torus:64\"}, \"params\": {\"formats\": [\"ply\", \"obj\"], \"name\": \"compose-kafka\"},"
                + " \"tenant\": \"" + expect("tenant") + "\"}";
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.SUBMITTED, id, submission)).get(60, TimeUnit.SECONDS);
        }

        JsonNode done = awaitSucceeded(id);
        checkDownload(id, done, Set.of("mesh.ply", "mesh.obj"));
        checkInMinio(done);
        assertEquals(1, records(Topics.COMPLETED, id, null), "completion records of " + id);
    }

    @Test
    @Order(3)
    void killingTheProcessorOfARunningJobStillCompletesItExactlyOnce() throws Exception {
        HttpResponse<String> posted = http.send(request("/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\": {\"synthetic\": \"" + LONG_JOB + "\"}, \"params\": {\"formats\": [\"stl\"]}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, posted.statusCode(), posted.body());
        String id = JSON.readTree(posted.body()).path("id").asText();

        awaitState(id, "PROCESSING");
        ContainerState victim = processorHolding(partitionOf(Topics.TASKS, id));
        String stateAtKill = status(id).path("state").asText();
        assertEquals("PROCESSING", stateAtKill, LONG_JOB + " finished before its processor could be killed: make LONG_JOB longer");
        long killedAt = System.nanoTime();
        victim.getDockerClient().killContainerCmd(victim.getContainerId()).exec(); // SIGKILL: no shutdown, no commit

        JsonNode done = awaitSucceeded(id);
        double recovery = (System.nanoTime() - killedAt) / 1e9;
        checkDownload(id, done, Set.of("mesh.stl"));
        checkInMinio(done);
        int completions = records(Topics.COMPLETED, id, null);
        int succeeded = records(Topics.EVENTS, id, "SUCCEEDED");
        System.out.printf("COMPOSE kill: %s killed while PROCESSING %s; SUCCEEDED %.1f s later; completion records %d, SUCCEEDED events %d%n",
                victim.getContainerId().substring(0, 12), id, recovery, completions, succeeded);
        assertEquals(1, completions, "completion records of " + id);
        assertEquals(1, succeeded, "SUCCEEDED events of " + id);
    }

    // --- HTTP ---

    static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(gateway + path))
                .header("Authorization", "Bearer " + expect("token"))
                .timeout(Duration.ofSeconds(60));
    }

    /** The status, or null while the gateway does not know the job yet (404) or is rebalancing (503). */
    static JsonNode status(String id) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request("/jobs/" + id).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404 || r.statusCode() == 503) {
            return null;
        }
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static final List<String> ORDER = List.of("QUEUED", "PROCESSING", "PACKAGING", "SUCCEEDED");

    /** Polls until the job has reached {@code state} or a later one; a failed or cancelled job fails the test. */
    static JsonNode awaitState(String id, String state) throws Exception {
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            JsonNode s = status(id);
            if (s != null) {
                last = s;
                String now = s.path("state").asText();
                if (!ORDER.contains(now)) {
                    fail(id + " ended " + now + ": " + s);
                }
                if (ORDER.indexOf(now) >= ORDER.indexOf(state)) {
                    return s;
                }
            }
            Thread.sleep(200);
        }
        return fail(id + " did not reach " + state + " within " + JOB_TIMEOUT + "; last status " + last);
    }

    static JsonNode awaitSucceeded(String id) throws Exception {
        return awaitState(id, "SUCCEEDED");
    }

    /** The ZIP: 200, its SHA-256 is the status's and the ETag, and it holds the job's folder with the asked-for meshes. */
    static void checkDownload(String id, JsonNode done, Set<String> meshes) throws Exception {
        HttpResponse<byte[]> r = http.send(request("/jobs/" + id + "/download").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        String sha = sha256(r.body());
        assertEquals(done.at("/result/sha256").asText(), sha, "the ZIP's SHA-256 against the status");
        assertEquals("\"" + sha + "\"", r.headers().firstValue("ETag").orElse(""));
        Set<String> entries = zipEntries(r.body());
        Set<String> expected = new HashSet<>(Set.of("quality.json", "manifest.json", "preview.png"));
        expected.addAll(meshes);
        for (String name : expected) {
            assertTrue(entries.contains(id + "/" + name), id + "/" + name + " missing from " + entries);
        }
    }

    // --- MinIO ---

    /** The result ZIP is in MinIO's bucket under the status's key, with the status's size and SHA-256. */
    static void checkInMinio(JsonNode done) {
        String key = done.at("/result/object").asText();
        byte[] zip = s3.getObjectAsBytes(b -> b.bucket(expect("s3.bucket")).key(key)).asByteArray();
        assertEquals(done.at("/result/size").asLong(), zip.length, key + " in MinIO");
        assertEquals(done.at("/result/sha256").asText(), sha256(zip), key + " in MinIO");
    }

    // --- Kafka, from the host through the brokers' PLAINTEXT_HOST listeners ---

    /** Committed records of {@code topic} for job {@code id}; with {@code state}, only events in that state. */
    static int records(String topic, String id, String state) throws IOException {
        int n = 0;
        for (ConsumerRecord<String, String> r : readCommitted(topic)) {
            if (id.equals(r.key()) && r.value() != null && (state == null || state.equals(JSON.readTree(r.value()).path("state").asText()))) {
                n++;
            }
        }
        return n;
    }

    static int partitionOf(String topic, String id) {
        return readCommitted(topic).stream().filter(r -> id.equals(r.key())).mapToInt(ConsumerRecord::partition)
                .findFirst().orElseThrow(() -> new AssertionError("no committed record of " + id + " on " + topic));
    }

    /** Everything committed on the topic now (read_committed stops at the last stable offset). */
    static List<ConsumerRecord<String, String>> readCommitted(String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                assertTrue(System.nanoTime() < deadline, "reading " + topic + " to " + end + " took over a minute");
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    /** The processor container whose consumer holds the partition (matched by the address the broker sees). */
    static ContainerState processorHolding(int partition) throws Exception {
        TopicPartition tp = new TopicPartition(Topics.TASKS, partition);
        String group = expect("processor.group");
        String host;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap))) {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).all().get(60, TimeUnit.SECONDS).get(group);
            host = g.members().stream().filter(m -> m.assignment().topicPartitions().contains(tp)).map(MemberDescription::host)
                    .findFirst().orElseThrow(() -> new AssertionError("no member of " + group + " holds " + tp + ": " + g));
        }
        String ip = host.startsWith("/") ? host.substring(1) : host;
        List<String> seen = new ArrayList<>();
        for (int i = 1; i <= Integer.parseInt(expect("processor.scale")); i++) {
            String name = expect("processor.service") + "-" + i;
            ContainerState c = stack.getContainerByServiceName(name).orElseThrow(() -> new AssertionError("no container " + name));
            Set<String> ips = c.getContainerInfo().getNetworkSettings().getNetworks().values().stream()
                    .map(ContainerNetwork::getIpAddress).collect(Collectors.toSet());
            if (ips.contains(ip)) {
                return c;
            }
            seen.add(name + " " + ips);
        }
        return fail(tp + " is held from " + ip + ", none of the processors: " + seen);
    }

    /** Every container's log, kept after compose down (target/compose-logs/SERVICE-N.log), to look at after a failure. */
    static void saveLogs(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String service : list("services")) {
                int instances = service.equals(expect("processor.service")) ? Integer.parseInt(expect("processor.scale")) : 1;
                for (int i = 1; i <= instances; i++) {
                    String name = service + "-" + i;
                    var container = stack.getContainerByServiceName(name);
                    if (container.isPresent()) {
                        Files.writeString(dir.resolve(name + ".log"), container.get().getLogs());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("could not save the containers' logs: " + e);
        }
    }

    // --- small helpers ---

    static String expect(String key) {
        String v = EXPECT.getProperty(key);
        if (v == null) {
            throw new IllegalStateException(key + " is missing from compose/expectations.properties");
        }
        return v;
    }

    static List<String> list(String key) {
        return Arrays.stream(expect(key).split(",")).map(String::strip).toList();
    }

    static Properties load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
        return p;
    }

    static Set<String> zipEntries(byte[] zip) throws IOException {
        Set<String> names = new HashSet<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        return names;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
