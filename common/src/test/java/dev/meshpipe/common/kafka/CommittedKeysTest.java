package dev.meshpipe.common.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.testsupport.KafkaTestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** On a real broker: committed records count, aborted ones and records written before {@code since} do not. */
class CommittedKeysTest {
    @Test
    void findsCommittedKeysOnlyAndOnlySinceTheGivenTime() throws Exception {
        try (KafkaTestCluster cluster = new KafkaTestCluster(1)) {
            Properties a = new Properties();
            a.put("bootstrap.servers", cluster.bootstrap());
            try (Admin admin = Admin.create(a)) {
                admin.createTopics(List.of(new NewTopic("done", 3, (short) 1))).all().get();
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "committed-keys-test");
            Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("done", null, t0.toEpochMilli(), "old", new byte[1]));
                producer.send(new ProducerRecord<>("done", null, t0.plusSeconds(60).toEpochMilli(), "kept", new byte[1]));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("done", null, t0.plusSeconds(61).toEpochMilli(), "aborted", new byte[1]));
                producer.flush();
                producer.abortTransaction();
            }
            CommittedKeys keys = new CommittedKeys(cluster.bootstrap(), "done", Duration.ofSeconds(30));
            assertTrue(keys.contains("kept", t0));
            assertTrue(keys.contains("kept", t0.plusSeconds(60)));
            assertTrue(keys.contains("old", t0));
            assertFalse(keys.contains("old", t0.plusSeconds(30)), "written before since");
            assertFalse(keys.contains("aborted", t0), "aborted");
            assertFalse(keys.contains("never", t0));
            assertFalse(keys.contains("kept", t0.plusSeconds(3600)), "nothing written since then");
        }
    }
}
