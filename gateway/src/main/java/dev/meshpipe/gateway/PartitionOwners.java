package dev.meshpipe.gateway;

import dev.meshpipe.common.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/** Which gateway instance owns each partition of the events topic, as of the last rebalance. */
final class PartitionOwners {
    private final HostInfo self;
    private volatile Map<Integer, HostInfo> owners = Map.of();
    private volatile int partitions;

    PartitionOwners(HostInfo self) {
        this.self = self;
    }

    HostInfo self() {
        return self;
    }

    /** Re-reads ownership from Kafka Streams; returns the partitions this instance now owns. */
    Set<Integer> refresh(KafkaStreams streams) {
        Map<Integer, HostInfo> map = new HashMap<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            for (TopicPartition tp : m.topicPartitions()) {
                if (tp.topic().equals(Topics.EVENTS)) {
                    map.put(tp.partition(), m.hostInfo());
                }
            }
        }
        int count = 0;
        for (int p : map.keySet()) {
            count = Math.max(count, p + 1);
        }
        owners = Map.copyOf(map);
        partitions = count;
        return mine();
    }

    /** The job's partition: the producer's default partitioning of a String key, which Kafka Streams shares; -1 before the first rebalance. */
    int partitionOf(String id) {
        int n = partitions;
        return n == 0 ? -1 : Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % n;
    }

    /** The partition's owner; null when none is known. */
    HostInfo ownerOf(int partition) {
        return partition < 0 ? null : owners.get(partition);
    }

    boolean isEmpty() {
        return owners.isEmpty();
    }

    /** Every instance that owns a partition, {@link HostInfo#unavailable()} included while one is undecided. */
    Collection<HostInfo> hosts() {
        return new HashSet<>(owners.values());
    }

    Set<Integer> mine() {
        Set<Integer> out = new HashSet<>();
        owners.forEach((p, host) -> {
            if (host.equals(self)) {
                out.add(p);
            }
        });
        return out;
    }
}
