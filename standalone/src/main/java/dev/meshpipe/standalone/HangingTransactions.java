package dev.meshpipe.standalone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborts hanging transactions on the embedded broker: a partition that holds an open transaction
 * the transaction coordinator no longer has. Nothing closes such a transaction, so the
 * partition's last stable offset stops there for good, and every read_committed reader behind it
 * (the packager, the gateway) stalls.
 *
 * <p>Seen in the crash tests: the whole process, broker included, halted just after the
 * processor's commit returned (with transaction version 2 the coordinator writes the markers
 * after that). After the restart the coordinator had the processor's transactional id as EMPTY,
 * while two partitions still held its transaction, open at the old epoch. This is what Kafka's
 * own {@code kafka-transactions.sh find-hanging} and {@code abort} are for (KIP-664); a standalone
 * stack owns its broker, so it does that itself.
 *
 * <p>A partition's open transaction is live while the coordinator has, for that producer id, a
 * transaction that is ongoing or being completed, at that epoch (or the next, which version 2
 * gives a transaction being completed), covering that partition. Anything else is hanging, and it
 * is aborted only after it has looked so for {@code grace}, so no transaction that is merely
 * starting or finishing is touched: exactly-once is kept.
 */
final class HangingTransactions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HangingTransactions.class);
    private static final Set<TransactionState> LIVE = EnumSet.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT,
            TransactionState.PREPARE_ABORT, TransactionState.PREPARE_EPOCH_FENCE);

    /** A partition's open transaction: who opened it, at which epoch, from which offset. */
    record Open(TopicPartition partition, long producerId, int producerEpoch, long startOffset, int coordinatorEpoch) {}

    private final Admin admin;
    private final Duration grace;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hanging-transactions");
        t.setDaemon(true);
        return t;
    });
    /** When each hanging-looking transaction was first seen (nanoTime). */
    private final Map<Open, Long> suspects = new HashMap<>();
    /** Checks that completed, and how many open transactions the last one saw (for tests and logs). */
    private volatile int checks;
    private volatile int lastOpen;

    private HangingTransactions(String bootstrapServers, Duration grace) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.admin = Admin.create(p);
        this.grace = grace;
    }

    /** Checks every {@code every}; aborts what has looked hanging for {@code grace}. */
    static HangingTransactions start(String bootstrapServers, Duration every, Duration grace) {
        HangingTransactions h = new HangingTransactions(bootstrapServers, grace);
        h.timer.scheduleWithFixedDelay(h::checkQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return h;
    }

    /**
     * The open transactions that the coordinator does not have as live ({@link HangingTransactions}
     * says what live means).
     */
    static List<Open> hanging(Collection<Open> open, Collection<TransactionDescription> coordinator) {
        List<Open> out = new ArrayList<>();
        for (Open o : open) {
            boolean live = coordinator.stream().anyMatch(d -> LIVE.contains(d.state()) && d.producerId() == o.producerId()
                    && (d.producerEpoch() == o.producerEpoch() || d.producerEpoch() == o.producerEpoch() + 1)
                    && d.topicPartitions().contains(o.partition()));
            if (!live) {
                out.add(o);
            }
        }
        return out;
    }

    private void checkQuietly() {
        try {
            check();
        } catch (Exception e) {
            // The broker restarting or a coordinator loading: look again next time.
            log.debug("could not check for hanging transactions: {}", e.toString());
        }
    }

    private void check() throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        // Internal topics too: a lost transaction's offset commit waits in __consumer_offsets.
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
                .names().get(10, TimeUnit.SECONDS);
        admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()
                .forEach(d -> d.partitions().forEach(i -> partitions.add(new TopicPartition(d.name(), i.partition()))));
        List<Open> open = new ArrayList<>();
        admin.describeProducers(partitions).all().get(10, TimeUnit.SECONDS).forEach((tp, state) -> {
            for (ProducerState s : state.activeProducers()) {
                if (s.currentTransactionStartOffset().isPresent()) {
                    open.add(new Open(tp, s.producerId(), s.producerEpoch(), s.currentTransactionStartOffset().getAsLong(),
                            s.coordinatorEpoch().orElse(0))); // 0 when unknown, as kafka-transactions.sh does
                }
            }
        });
        lastOpen = open.size();
        checks++;
        if (open.isEmpty()) {
            suspects.clear();
            return;
        }
        Set<String> ids = new HashSet<>();
        for (TransactionListing l : admin.listTransactions().all().get(10, TimeUnit.SECONDS)) {
            ids.add(l.transactionalId());
        }
        Collection<TransactionDescription> coordinator = ids.isEmpty() ? List.of()
                : admin.describeTransactions(ids).all().get(10, TimeUnit.SECONDS).values();
        List<Open> hanging = hanging(open, coordinator);
        suspects.keySet().retainAll(hanging);
        long now = System.nanoTime();
        for (Open o : hanging) {
            long since = suspects.computeIfAbsent(o, k -> now);
            if (now - since >= grace.toNanos()) {
                log.warn("aborting a hanging transaction on {} (producer {} epoch {}, open from offset {}): the coordinator"
                        + " no longer has it, so nothing else would close it", o.partition(), o.producerId(), o.producerEpoch(), o.startOffset());
                admin.abortTransaction(new AbortTransactionSpec(o.partition(), o.producerId(), (short) o.producerEpoch(),
                        o.coordinatorEpoch())).all().get(10, TimeUnit.SECONDS);
                suspects.remove(o);
            }
        }
    }

    int checks() {
        return checks;
    }

    int lastOpen() {
        return lastOpen;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}
