package dev.meshpipe.common.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Whether a topic already holds a committed record with a given key, written at or after a given
 * time. A stage asks this only when it may be doing a job's work a second time (its output exists
 * already): a crash can lose a transaction's offset commit while its output records commit, so a
 * redelivery alone does not prove that the output never committed.
 *
 * <p>It reads the whole topic from {@code since} to the last stable offset, so it is for rare
 * paths only; each call opens its own consumer (no group, no offsets committed).
 */
public final class CommittedKeys {
    private final String bootstrapServers;
    private final String topic;
    private final Duration timeout;

    public CommittedKeys(String bootstrapServers, String topic, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.timeout = timeout;
    }

    /** True when a committed record keyed {@code key} with a timestamp at or after {@code since} is on the topic. */
    public boolean contains(String key, Instant since) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Only committed records count; the end offsets are then the last stable offsets.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, timeout).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            Map<TopicPartition, Long> from = new HashMap<>();
            parts.forEach(tp -> from.put(tp, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> start = c.offsetsForTimes(from, timeout);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp s = start.get(tp);
                c.seek(tp, s == null ? end.get(tp) : s.offset()); // null: nothing written since then
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (key.equals(r.key()) && r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
