package dev.meshpipe.standalone;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) inside this JVM. Its
 * log lives under {@code dir}; the cluster id and ports are kept there too, so a restart on the
 * same directory comes back with every topic and offset.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final Path dir;
    private KafkaRaftServer server;
    private int port;

    public EmbeddedKafka(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public void start() throws Exception {
        Path logDir = dir.resolve("log");
        Files.createDirectories(logDir);
        Properties saved = loadState();
        String clusterId = saved.getProperty("cluster.id", Uuid.randomUuid().toString());
        port = freePort(Integer.parseInt(saved.getProperty("broker.port", "0")));
        int controllerPort = freePort(Integer.parseInt(saved.getProperty("controller.port", "0")));
        saved.setProperty("cluster.id", clusterId);
        saved.setProperty("broker.port", String.valueOf(port));
        saved.setProperty("controller.port", String.valueOf(controllerPort));
        saveState(saved);

        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "3");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("message.max.bytes", String.valueOf(16 * 1024 * 1024 + 1024));
        KafkaConfig config = new KafkaConfig(p, false);

        if (!Files.exists(logDir.resolve("meta.properties"))) {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(clusterId)
                    .setDirectories(java.util.List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setIgnoreFormatted(true)
                    .run();
        }
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
    }

    private Properties loadState() throws IOException {
        Properties p = new Properties();
        Path f = dir.resolve("embedded-kafka.properties");
        if (Files.exists(f)) {
            try (InputStream in = Files.newInputStream(f)) {
                p.load(in);
            }
        }
        return p;
    }

    private void saveState(Properties p) throws IOException {
        try (OutputStream out = Files.newOutputStream(dir.resolve("embedded-kafka.properties"))) {
            p.store(out, "embedded Kafka of meshpipe standalone");
        }
    }

    /** The port used last time if it is still free, else any free one. */
    private static int freePort(int preferred) throws IOException {
        if (preferred > 0) {
            try (ServerSocket s = new ServerSocket(preferred)) {
                s.setReuseAddress(true);
                return preferred;
            } catch (IOException taken) {
                // fall through to any port
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }
}
