package dev.meshpipe.standalone;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.gateway.GatewayOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything in one JVM: an embedded broker, a filesystem object store and the four services,
 * all keeping their state under one data directory so a restart picks up where it stopped.
 */
public final class Stack implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final HangingTransactions hanging;
    private final Pipeline pipeline;

    private Stack(EmbeddedKafka kafka, HangingTransactions hanging, Pipeline pipeline) {
        this.kafka = kafka;
        this.hanging = hanging;
        this.pipeline = pipeline;
    }

    public static Stack start(Path dataDir, int httpPort, Duration retention, String device) throws Exception {
        Path data = dataDir.toAbsolutePath();
        Files.createDirectories(data);
        EmbeddedKafka kafka = new EmbeddedKafka(data.resolve("kafka"));
        kafka.start();
        HangingTransactions hanging = null;
        try {
            // A crash of this process can leave a transaction its broker no longer closes (see the class).
            hanging = HangingTransactions.start(kafka.bootstrapServers(), Duration.ofSeconds(5), Duration.ofSeconds(30));
            FileObjectStore store = new FileObjectStore(data.resolve("objects"));
            MeshpipeConfig config = config(MeshpipeConfig.environment(), kafka.bootstrapServers(), data, store, httpPort, retention, device);
            Topics.create(config.bootstrapServers(), config.partitions(), config.replication());
            Pipeline pipeline = Pipeline.start(config, gatewayOptions(MeshpipeConfig.environment()), store);
            pipeline.awaitReady(120_000);
            return new Stack(kafka, hanging, pipeline);
        } catch (Exception | Error e) {
            if (hanging != null) {
                hanging.close();
            }
            kafka.close();
            throw e;
        }
    }

    /**
     * The services' configuration: the documented MESHPIPE_* variables, as {@code service} reads
     * them, except what this stack decides itself (its broker, its data directory, one replica)
     * and what the command line gave ({@code httpPort}, {@code retention}, {@code device}).
     */
    static MeshpipeConfig config(java.util.Map<String, String> env, String bootstrap, Path data, FileObjectStore store,
                                 int httpPort, Duration retention, String device) {
        MeshpipeConfig e = MeshpipeConfig.fromEnv(env);
        return new MeshpipeConfig(bootstrap, "standalone", data.resolve("state"), "file:" + store.root(),
                env.containsKey("MESHPIPE_PARTITIONS") ? e.partitions() : 3, (short) 1, httpPort, retention,
                e.maxUploadBytes(), e.maxVoxels(), e.processorThreads(), device, e.storageRetries(), e.storageBackoff(),
                e.inputRetention(), e.dicomMaxFiles(), e.dedupeWindow(), e.gpuErrors(), e.faultHaltOn(), true);
    }

    /**
     * The gateway's options as {@code service} reads them, except that completion webhooks may
     * call loopback and private addresses unless MESHPIPE_CALLBACK_ALLOW_PRIVATE says otherwise:
     * on one machine the receiver is usually right beside the stack.
     */
    static GatewayOptions gatewayOptions(java.util.Map<String, String> env) {
        GatewayOptions o = GatewayOptions.fromEnv(env);
        return env.containsKey("MESHPIPE_CALLBACK_ALLOW_PRIVATE") ? o : o.withCallbacks(o.callbacks().withAllowPrivate(true));
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

    @Override
    public void close() {
        pipeline.close();
        hanging.close();
        kafka.close();
    }
}
