package dev.meshpipe.common.kafka;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The records a handler wants written, atomically with the offset of the record it handled. */
public final class Outbox {
    private final List<ProducerRecord<String, byte[]>> records = new ArrayList<>();

    public void send(String topic, String key, Object value) {
        records.add(new ProducerRecord<>(topic, key, Json.bytes(value)));
    }

    /** Routes an undecodable record to the dead-letter topic with headers saying why. */
    public void deadLetter(ConsumerRecord<String, byte[]> rec, String stage, ErrorCode code, String message) {
        RecordHeaders h = DeadLetters.headers(rec.headers().toArray(), stage, code, message, rec.topic(), rec.partition(), rec.offset());
        records.add(new ProducerRecord<>(Topics.DLQ, null, rec.key(), rec.value(), h));
    }

    /** What the handler asked to write, in order. */
    public List<ProducerRecord<String, byte[]>> records() {
        return records;
    }
}
