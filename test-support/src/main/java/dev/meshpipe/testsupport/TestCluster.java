package dev.meshpipe.testsupport;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import java.nio.file.Path;
import java.time.Duration;

/** The in-process KRaft cluster with meshpipe's topics, configuration and JSON records. */
public final class TestCluster extends KafkaTestCluster {
    public TestCluster(int brokers) throws Exception {
        super(brokers);
    }

    /** @see KafkaTestCluster#KafkaTestCluster(int, int, boolean) */
    public TestCluster(int brokers, int minInsync, boolean combined) throws Exception {
        super(brokers, minInsync, combined);
    }

    /** A configuration on this cluster with its state and a file object store under {@code dir}; creates the topics. */
    public MeshpipeConfig config(Path dir, String instance, int partitions) {
        return config(dir, instance, partitions, (short) 1);
    }

    public MeshpipeConfig config(Path dir, String instance, int partitions, short replication) {
        MeshpipeConfig c = new MeshpipeConfig(bootstrap(), instance, dir.resolve("state-" + instance), "file:" + dir.resolve("objects"),
                partitions, replication, 0, Duration.ofHours(1), 8L << 20, MeshpipeConfig.DEFAULT_MAX_VOXELS, 1, "cpu", 5, Duration.ofSeconds(1), Duration.ofHours(24));
        Topics.create(c.bootstrapServers(), c.partitions(), c.replication());
        return c;
    }

    /** Publishes a record as a producer of this topic would: bytes as they are, anything else as meshpipe's JSON; null is a tombstone. */
    public void produce(String topic, String key, Object value) throws Exception {
        produce(topic, key, value == null ? null : value instanceof byte[] b ? b : Json.bytes(value));
    }
}
