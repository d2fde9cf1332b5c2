package dev.meshpipe.standalone;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.common.store.ObjectStore;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The in-JVM pipeline on a one-broker {@link TestCluster} with a filesystem store, started once per
 * test class: the set-up the pipeline test classes share.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InProcessPipelineTest {
    private final String name;
    Path dir;
    TestCluster cluster;
    Pipeline pipeline;
    ObjectStore store;
    GatewayClient client;
    String base;
    final HttpClient http = HttpClient.newHttpClient();

    /** @param name names the temporary directory and the cluster's groups */
    InProcessPipelineTest(String name) {
        this.name = name;
    }

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("meshpipe-" + name + "-test");
        cluster = new TestCluster(1);
        MeshpipeConfig config = cluster.config(dir, name, 3);
        store = new FileObjectStore(dir.resolve("objects"));
        pipeline = Pipeline.start(config, store);
        pipeline.awaitReady(60_000);
        base = "http://localhost:" + pipeline.gateway().port();
        client = new GatewayClient(base);
    }

    @AfterAll
    void stop() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
