package dev.meshpipe.testsupport;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real in-process KRaft cluster for integration tests. It knows nothing of meshpipe, so that the
 * tests of {@code common}'s Kafka code can use it too; {@code TestCluster} in test-support adds
 * meshpipe's topics and configuration.
 */
public class KafkaTestCluster implements AutoCloseable {
    /** The test kit itself, for tests that stop a broker. */
    public final KafkaClusterTestKit kit;

    public KafkaTestCluster(int brokers) throws Exception {
        this(brokers, 1, true);
    }

    /**
     * @param minInsync min.insync.replicas for every topic, the transaction log included
     * @param combined  each node both broker and controller; otherwise separate controllers, so a
     *                  broker can be stopped alone
     */
    public KafkaTestCluster(int brokers, int minInsync, boolean combined) throws Exception {
        kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(combined).setNumBrokerNodes(brokers).setNumControllerNodes(combined ? brokers : 3).build())
                .setConfigProp("offsets.topic.replication.factor", String.valueOf(Math.min(brokers, 3)))
                .setConfigProp("transaction.state.log.replication.factor", String.valueOf(Math.min(brokers, 3)))
                .setConfigProp("transaction.state.log.min.isr", String.valueOf(minInsync))
                .setConfigProp("min.insync.replicas", String.valueOf(minInsync))
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("message.max.bytes", String.valueOf(17 * 1024 * 1024))
                .build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception | Error e) {
            // A cluster that failed to start still holds its ports, threads and log directories.
            try {
                kit.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    public String bootstrap() {
        return kit.bootstrapServers();
    }

    /** Publishes a record as a producer of this topic would; a null value is a tombstone. */
    public void produce(String topic, String key, byte[] value) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        p.put("max.request.size", 32 << 20); // let the broker, not this client, judge big records
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
