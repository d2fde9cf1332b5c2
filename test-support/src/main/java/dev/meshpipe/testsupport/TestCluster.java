package dev.meshpipe.standalone;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real in-process KRaft cluster for integration tests. */
final class TestCluster implements AutoCloseable {
    final KafkaClusterTestKit kit;

    TestCluster(int brokers) throws Exception {
        this(brokers, 1, true);
    }

    /**
     * @param minInsync min.insync.replicas for every topic, the transaction log included
     * @param combined  each node both broker and controller; otherwise separate controllers, so a
     *                  broker can be stopped alone
     */
    TestCluster(int brokers, int minInsync, boolean combined) throws Exception {
        kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(combined).setNumBrokerNodes(brokers).setNumControllerNodes(combined ? brokers : 3).build())
                .setConfigProp("offsets.topic.replication.factor", String.valueOf(Math.min(brokers, 3)))
                .setConfigProp("transaction.state.log.replication.factor", String.valueOf(Math.min(brokers, 3)))
                .setConfigProp("transaction.state.log.min.isr", String.valueOf(minInsync))
                .setConfigProp("min.insync.replicas", String.valueOf(minInsync))
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("message.max.bytes", String.valueOf(17 * 1024 * 1024))
                .build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
    }

    String bootstrap() {
        return kit.bootstrapServers();
    }

    MeshpipeConfig config(Path dir, String instance, int partitions) {
        return config(dir, instance, partitions, (short) 1);
    }

    MeshpipeConfig config(Path dir, String instance, int partitions, short replication) {
        MeshpipeConfig c = new MeshpipeConfig(bootstrap(), instance, dir.resolve("state-" + instance), "file:" + dir.resolve("objects"),
                partitions, replication, 0, Duration.ofHours(1), 8L << 20, MeshpipeConfig.DEFAULT_MAX_VOXELS, 1, "cpu", 5, Duration.ofSeconds(1), Duration.ofHours(24));
        Topics.create(c.bootstrapServers(), c.partitions(), c.replication());
        return c;
    }

    /** Publishes a record as a producer of this topic would; null value is a tombstone. */
    void produce(String topic, String key, Object value) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        p.put("max.request.size", 32 << 20); // let the broker, not this client, judge big records
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            byte[] bytes = value == null ? null : value instanceof byte[] b ? b : Json.bytes(value);
            producer.send(new ProducerRecord<>(topic, key, bytes)).get();
        }
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
