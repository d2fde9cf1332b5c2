package dev.meshpipe.ingest;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** submitted -> validate -> tasks + events, or events (FAILED), or dlq. */
public final class IngestTopology {
    static final String SEEN_STORE = "ingest-seen-jobs";
    static final String TASKS_SINK = "tasks";
    static final String EVENTS_SINK = "events";
    static final String DLQ_SINK = "dlq";

    private IngestTopology() {}

    /** How long a job id is remembered by default: the submitted topic's retention, so no record still there can run twice. */
    public static final java.time.Duration DEFAULT_DEDUPE_WINDOW = dev.meshpipe.common.MeshpipeConfig.DEFAULT_DEDUPE_WINDOW;

    public static Topology build(SubmissionValidator validator) {
        return build(validator, DEFAULT_DEDUPE_WINDOW);
    }

    public static Topology build(SubmissionValidator validator, java.time.Duration dedupeWindow) {
        Serializer<Object> json = (topic, value) -> value == null ? null : Json.bytes(value);
        ByteArraySerializer bytes = new ByteArraySerializer();
        Serializer<Object> raw = (topic, value) -> bytes.serialize(topic, (byte[]) value);
        Topology t = new Topology();
        t.addSource("submitted", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.SUBMITTED);
        t.addProcessor("validate", () -> new IngestProcessor(validator, dedupeWindow), "submitted");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEEN_STORE), Serdes.String(), SeenJob.serde()), "validate");
        t.addSink(TASKS_SINK, Topics.TASKS, Serdes.String().serializer(), json, "validate");
        t.addSink(EVENTS_SINK, Topics.EVENTS, Serdes.String().serializer(), json, "validate");
        t.addSink(DLQ_SINK, Topics.DLQ, Serdes.String().serializer(), raw, "validate");
        return t;
    }
}
