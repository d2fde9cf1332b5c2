package dev.meshpipe.testsupport;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What a stuck pipeline looks like from the broker, printed when a crash test times out: per
 * partition of the given topics the high watermark, the last stable offset and any open transaction,
 * the groups' committed offsets, and the transactional ids the coordinator knows.
 */
public final class KafkaDiagnosis {
    private KafkaDiagnosis() {}

    public static String of(String bootstrap, Collection<String> topics) {
        StringBuilder out = new StringBuilder("Kafka state:\n");
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (var d : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(i -> parts.add(new TopicPartition(d.name(), i.partition())));
            }
            Map<TopicPartition, OffsetSpec> latest = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
            parts.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var hw = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            var lso = admin.listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
                    org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS);
            var producers = admin.describeProducers(parts).all().get(30, TimeUnit.SECONDS);
            for (TopicPartition tp : latest.keySet()) {
                out.append(String.format("  %-28s hw %6d  lso %6d", tp, hw.get(tp).offset(), lso.get(tp).offset()));
                for (ProducerState s : producers.get(tp).activeProducers()) {
                    if (s.currentTransactionStartOffset().isPresent()) {
                        out.append(String.format("  open txn: producer %d epoch %d from offset %d",
                                s.producerId(), s.producerEpoch(), s.currentTransactionStartOffset().getAsLong()));
                    }
                }
                out.append('\n');
            }
            for (ConsumerGroupListing g : admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS)) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(g.groupId()).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                out.append("  group ").append(g.groupId()).append(' ').append(g.groupState().orElse(null)).append(':');
                new TreeMap<>(committed.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                        e -> e.getKey().toString(), e -> e.getValue() == null ? -1 : e.getValue().offset())))
                        .forEach((tp, o) -> out.append(' ').append(tp).append('=').append(o));
                out.append('\n');
            }
            for (TransactionListing t : admin.listTransactions().all().get(30, TimeUnit.SECONDS)) {
                out.append("  txn ").append(t.transactionalId()).append(" producer ").append(t.producerId())
                        .append(' ').append(t.state()).append('\n');
            }
        } catch (Exception e) {
            out.append("  (could not describe: ").append(e).append(")\n");
        }
        return out.toString();
    }
}
