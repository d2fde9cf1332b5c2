package dev.meshpipe.gateway;

import dev.meshpipe.common.JobId;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * events -> the job-status store. Each event is folded with {@link JobStatus#apply}, which never
 * moves a job backwards; a tombstone on the events topic removes the job; and a wall-clock
 * punctuation removes finished jobs not updated for {@code statusRetention}, so they answer 404
 * like jobs that never existed. Removals are tombstones in the store's compacted changelog.
 * The fold also keeps the listing's index ({@link JobListing#STORE}) in step with the statuses.
 * A job's move into SUCCEEDED, FAILED or CANCELLED, when it has a callbackUrl, is also written to
 * {@link Topics#CALLBACKS} for the {@link CallbackSender}: the fold sees that move exactly once,
 * and under exactly_once_v2 the record commits with the store's change, so it is neither lost nor
 * doubled by a crash.
 */
public final class StatusTopology {
    public static final String STORE = "job-status";
    static final String CALLBACKS_SINK = "callbacks";
    private static final Logger log = LoggerFactory.getLogger(StatusTopology.class);

    private StatusTopology() {}

    public static Topology build(Duration statusRetention) {
        return build(statusRetention, new StatusCache());
    }

    /** The topology whose fold also keeps {@code cache} up to date (see {@link StatusCache}). */
    static Topology build(Duration statusRetention, StatusCache cache) {
        Topology t = new Topology();
        t.addSource("events", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), Topics.EVENTS);
        t.addProcessor("fold", () -> new Fold(statusRetention, cache), "events");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                JsonSerde.of(JobStatus.class)), "fold");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(JobListing.STORE), Serdes.String(),
                Serdes.String()), "fold");
        t.addSink(CALLBACKS_SINK, Topics.CALLBACKS, Serdes.String().serializer(), Serdes.ByteArray().serializer(), "fold");
        return t;
    }

    static final class Fold implements Processor<String, byte[], String, byte[]> {
        private static final JsonSerde<JobEvent> EVENT = JsonSerde.of(JobEvent.class);
        private final Duration retention;
        private final StatusCache cache;
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, JobStatus> store;
        private KeyValueStore<String, String> index;
        private int partition;
        private boolean indexChecked;

        Fold(Duration retention, StatusCache cache) {
            this.retention = retention;
            this.cache = cache;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            store = context.getStateStore(STORE);
            index = context.getStateStore(JobListing.STORE);
            partition = context.taskId().partition();
            cache.open(partition);
            Duration every = retention.compareTo(Duration.ofMinutes(10)) < 0 ? Duration.ofSeconds(1) : Duration.ofMinutes(1);
            context.schedule(every, PunctuationType.WALL_CLOCK_TIME, now -> purge(Instant.ofEpochMilli(now)));
        }

        @Override
        public void process(Record<String, byte[]> record) {
            String id = record.key();
            if (!JobId.isValid(id)) {
                return;
            }
            if (record.value() == null) {
                remove(id, store.get(id));
                return;
            }
            JobEvent e;
            try {
                e = EVENT.decode(record.value());
            } catch (SerializationException ex) {
                log.warn("skipping an undecodable event for job {}: {}", id, ex.getMessage());
                return;
            }
            if (e == null || e.state() == null || !id.equals(e.jobId())) {
                return;
            }
            JobStatus old = store.get(id);
            JobStatus next = old == null ? JobStatus.initial(e) : old.apply(e);
            if (next != old) {
                store.put(id, next);
                cache.put(partition, id, next);
                if (next.callbackUrl() != null && next.finishes(old)) {
                    context.forward(record.withValue(Json.bytes(next)).withHeaders(new RecordHeaders()), CALLBACKS_SINK);
                }
            }
            reindex(old, next);
        }

        /**
         * Keeps the job's index entries in step with its status. Also run when the status did not
         * change, so an event replayed after a crash (at-least-once) writes an entry the crash lost.
         */
        private void reindex(JobStatus old, JobStatus next) {
            List<String> keys = JobListing.keys(next);
            if (old != null) {
                for (String k : JobListing.keys(old)) {
                    if (!keys.contains(k)) {
                        index.delete(k); // its tenant or submission time became known only now
                    }
                }
            }
            String state = next.state().name();
            for (String k : keys) {
                if (!state.equals(index.get(k))) {
                    index.put(k, state);
                }
            }
        }

        /** Statuses folded before the index existed (an older gateway's store) get their entries once. */
        private void backfill() {
            try (KeyValueIterator<String, String> it = index.all()) {
                if (it.hasNext()) {
                    return;
                }
            }
            List<JobStatus> all = new ArrayList<>();
            try (KeyValueIterator<String, JobStatus> it = store.all()) {
                it.forEachRemaining(kv -> all.add(kv.value));
            }
            for (JobStatus s : all) {
                if (s != null) {
                    reindex(null, s);
                }
            }
        }

        /** Index entries first: a crash in between leaves a status that the next purge or tombstone finds again. */
        private void remove(String id, JobStatus old) {
            if (old != null) {
                JobListing.keys(old).forEach(index::delete);
            }
            store.delete(id);
            cache.remove(partition, id);
        }

        @Override
        public void close() {
            cache.close(partition);
        }

        private void purge(Instant now) {
            if (!indexChecked) {
                indexChecked = true;
                backfill();
            }
            List<KeyValue<String, JobStatus>> gone = new ArrayList<>();
            try (KeyValueIterator<String, JobStatus> it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<String, JobStatus> kv = it.next();
                    JobStatus s = kv.value;
                    if (s != null && s.state().isFinished() && s.updatedAt() != null
                            && s.updatedAt().plus(retention).isBefore(now)) {
                        gone.add(kv);
                    }
                }
            }
            for (KeyValue<String, JobStatus> kv : gone) {
                remove(kv.key, kv.value);
            }
        }
    }
}
