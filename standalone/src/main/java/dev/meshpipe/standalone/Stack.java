package dev.meshpipe.standalone;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.store.FileObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything in one JVM: an embedded broker, a filesystem object store and the four services,
 * all keeping their state under one data directory so a restart picks up where it stopped.
 */
public final class Stack implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final FileObjectStore store;
    private final Pipeline pipeline;
    private final MeshpipeConfig config;

    private Stack(EmbeddedKafka kafka, FileObjectStore store, Pipeline pipeline, MeshpipeConfig config) {
        this.kafka = kafka;
        this.store = store;
        this.pipeline = pipeline;
        this.config = config;
    }

    public static Stack start(Path dataDir, int httpPort, Duration retention, String device) throws Exception {
        Path data = dataDir.toAbsolutePath();
        Files.createDirectories(data);
        EmbeddedKafka kafka = new EmbeddedKafka(data.resolve("kafka"));
        kafka.start();
        try {
            FileObjectStore store = new FileObjectStore(data.resolve("objects"));
            MeshpipeConfig config = new MeshpipeConfig(kafka.bootstrapServers(), "standalone", data.resolve("state"),
                    "file:" + store.root(), 3, (short) 1, httpPort, retention, MeshpipeConfig.DEFAULT_MAX_UPLOAD_BYTES,
                    MeshpipeConfig.DEFAULT_MAX_VOXELS, 1, device, 5, Duration.ofSeconds(1), Duration.ofHours(24));
            Topics.create(config.bootstrapServers(), config.partitions(), config.replication());
            Pipeline pipeline = Pipeline.start(config, store);
            pipeline.awaitReady(120_000);
            return new Stack(kafka, store, pipeline, config);
        } catch (Exception | Error e) {
            kafka.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public int httpPort() {
        return pipeline.gateway().port();
    }

    public String baseUrl() {
        return "http://localhost:" + httpPort();
    }

    public FileObjectStore store() {
        return store;
    }

    public MeshpipeConfig config() {
        return config;
    }

    @Override
    public void close() {
        pipeline.close();
        kafka.close();
    }
}
