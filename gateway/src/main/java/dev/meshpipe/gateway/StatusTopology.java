package dev.meshpipe.gateway;

import dev.meshpipe.common.JobId;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobStatus;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;

/** events -> a KTable of job statuses, folded monotonically by {@link JobStatus#apply}. */
public final class StatusTopology {
    public static final String STORE = "job-status";

    private StatusTopology() {}

    public static Topology build() {
        StreamsBuilder b = new StreamsBuilder();
        b.stream(Topics.EVENTS, Consumed.with(Serdes.String(), JsonSerde.of(JobEvent.class)))
                .filter((id, e) -> JobId.isValid(id) && e != null && e.state() != null && id.equals(e.jobId()))
                .groupByKey()
                .aggregate(() -> null,
                        (id, event, status) -> status == null ? JobStatus.initial(event) : status.apply(event),
                        Materialized.<String, JobStatus, KeyValueStore<Bytes, byte[]>>as(STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(JsonSerde.of(JobStatus.class)));
        return b.build();
    }
}
