package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.testsupport.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class HangingTransactionsTest {
    static final TopicPartition P = new TopicPartition("t", 0);
    static final TopicPartition Q = new TopicPartition("t", 1);

    static TransactionDescription coordinator(TransactionState state, long producerId, int epoch, Set<TopicPartition> parts) {
        return new TransactionDescription(1, state, producerId, epoch, 60_000, OptionalLong.of(0), parts);
    }

    static HangingTransactions.Open open(TopicPartition tp, long producerId, int epoch) {
        return new HangingTransactions.Open(tp, producerId, epoch, 8, 0);
    }

    @Test
    void onlyTransactionsTheCoordinatorDoesNotHaveAsLiveAreHanging() {
        // Live: ongoing at its epoch on its partition, or being completed (version 2 bumps the epoch then).
        assertEquals(List.of(), HangingTransactions.hanging(List.of(open(P, 3, 5)),
                List.of(coordinator(TransactionState.ONGOING, 3, 5, Set.of(P, Q)))));
        assertEquals(List.of(), HangingTransactions.hanging(List.of(open(P, 3, 5)),
                List.of(coordinator(TransactionState.PREPARE_COMMIT, 3, 6, Set.of(P)))));
        // What the crash test found: the coordinator has the producer EMPTY, the partition still open.
        assertEquals(List.of(open(P, 3, 5)), HangingTransactions.hanging(List.of(open(P, 3, 5)),
                List.of(coordinator(TransactionState.EMPTY, 3, 7, Set.of()))));
        // The producer went on to a new transaction, but this partition's is an older epoch's.
        assertEquals(List.of(open(P, 3, 5)), HangingTransactions.hanging(List.of(open(P, 3, 5)),
                List.of(coordinator(TransactionState.ONGOING, 3, 8, Set.of(P)))));
        // Ongoing, but not on this partition; or another producer's; or no coordinator entry at all.
        assertEquals(List.of(open(P, 3, 5)), HangingTransactions.hanging(List.of(open(P, 3, 5)),
                List.of(coordinator(TransactionState.ONGOING, 3, 5, Set.of(Q)))));
        assertEquals(List.of(open(P, 3, 5)), HangingTransactions.hanging(List.of(open(P, 3, 5)),
                List.of(coordinator(TransactionState.ONGOING, 4, 5, Set.of(P)))));
        assertEquals(List.of(open(P, 3, 5)), HangingTransactions.hanging(List.of(open(P, 3, 5)), List.of()));
    }

    /** A real transaction held open well past the grace is left alone: it commits and is read. */
    @Test
    void aLiveTransactionIsNeverAborted() throws Exception {
        try (TestCluster cluster = new TestCluster(1)) {
            Properties ap = new Properties();
            ap.put("bootstrap.servers", cluster.bootstrap());
            try (Admin admin = Admin.create(ap)) {
                admin.createTopics(List.of(new NewTopic("held", 1, (short) 1))).all().get();
            }
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
            pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "held-open");
            try (HangingTransactions watch = HangingTransactions.start(cluster.bootstrap(), Duration.ofMillis(200), Duration.ofMillis(500));
                 KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("held", "k", "v1")).get();
                Thread.sleep(3000); // six times the grace, about fifteen checks
                assertTrue(watch.checks() > 5, "checks done: " + watch.checks());
                assertEquals(1, watch.lastOpen(), "the watch sees the open transaction (and leaves it)");
                producer.send(new ProducerRecord<>("held", "k", "v2")).get();
                producer.commitTransaction();
            }
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            List<String> got = new ArrayList<>();
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
                c.assign(List.of(new TopicPartition("held", 0)));
                c.seekToBeginning(List.of(new TopicPartition("held", 0)));
                long end = System.nanoTime() + 20_000_000_000L;
                while (got.size() < 2 && System.nanoTime() < end) {
                    c.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.value()));
                }
            }
            assertEquals(List.of("v1", "v2"), got, "both records of the committed transaction");
        }
    }
}
