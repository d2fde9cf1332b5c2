package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.store.S3ObjectStore;
import dev.meshpipe.testsupport.TestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The whole pipeline on S3 storage, a real S3-protocol server (s3proxy) in a process of its own,
 * which is stopped for a while: the gateway answers 503 with Retry-After, the job waits and
 * retries, and once the server is back (same port, same disk) the job completes and earlier
 * results download again.
 */
class S3OutageTest {
    @TempDir
    Path dir;

    @Test
    void stoppingTheS3ServerDelaysJobsButLosesNothing() throws Exception {
        int s3Port = ChildStack.freePort();
        Path disk = dir.resolve("s3");
        Process s3 = startS3(s3Port, disk, 1);
        S3Client client = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + s3Port)).forcePathStyle(true)
                .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(5))).build();
        client.createBucket(r -> r.bucket("meshpipe"));
        try (TestCluster cluster = new TestCluster(1)) {
            MeshpipeConfig config = cluster.config(dir, "s3", 3).withStorageRetries(8, Duration.ofMillis(500));
            try (Pipeline pipeline = Pipeline.start(config, new S3ObjectStore(client, "meshpipe", ""))) {
                pipeline.awaitReady(60_000);
                GatewayClient gateway = new GatewayClient("http://localhost:" + pipeline.gateway().port());
                String before = gateway.submitJson(Map.of("input", Map.of("synthetic", "sphere:16:5"))).body().path("id").asText();
                assertEquals("SUCCEEDED", gateway.awaitFinished(before, Duration.ofSeconds(60)).path("state").asText());

                s3.destroy();
                s3.waitFor();
                long down = System.nanoTime();
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + pipeline.gateway().port() + "/jobs/" + before + "/download")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), r.body());
                assertTrue(r.headers().firstValue("Retry-After").isPresent());
                assertEquals("STORAGE_UNAVAILABLE", Json.MAPPER.readTree(r.body()).path("code").asText());
                String during = gateway.submitJson(Map.of("input", Map.of("synthetic", "sphere:16:6"))).body().path("id").asText();
                Thread.sleep(6_000);
                JsonNode waiting = gateway.status(during).body();
                assertTrue(!waiting.path("state").asText().equals("SUCCEEDED") && !waiting.path("state").asText().equals("FAILED"),
                        "a job cannot finish while storage is down: " + waiting);

                s3 = startS3(s3Port, disk, 2);
                double outage = (System.nanoTime() - down) / 1e9;
                long back = System.nanoTime();
                JsonNode done = gateway.awaitFinished(during, Duration.ofSeconds(90));
                double after = (System.nanoTime() - back) / 1e9;
                assertEquals("SUCCEEDED", done.path("state").asText(), done.toString());
                Path zip = dir.resolve("before.zip");
                assertTrue(gateway.download(before, zip).ok());
                System.out.printf("RELIABILITY s3-outage: s3proxy process stopped for %.1f s; gateway 503 STORAGE_UNAVAILABLE with Retry-After;"
                        + " the job submitted during the outage waited (%s) and SUCCEEDED %.1f s after the server returned;"
                        + " the earlier result downloaded again (%d bytes)%n", outage, waiting.path("state").asText(), after, Files.size(zip));
            }
        } finally {
            s3.destroy();
            client.close();
        }
    }

    private Process startS3(int port, Path disk, int run) throws Exception {
        Path common = DocsCommands.ROOT.resolve("common/target");
        String cp = common.resolve("test-classes") + java.io.File.pathSeparator + common.resolve("classes")
                + java.io.File.pathSeparator + Files.readString(common.resolve("test-classpath.txt")).trim();
        Path log = dir.resolve("s3-" + run + ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", cp,
                "dev.meshpipe.common.store.S3ProxyMain", String.valueOf(port), disk.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains("s3proxy up")) {
                return p;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("s3proxy exited: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("s3proxy did not start: " + Files.readString(log));
    }
}
