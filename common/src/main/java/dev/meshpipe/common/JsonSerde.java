package dev.meshpipe.common;

import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka serde for one record type as JSON. A null payload is a tombstone and stays null. */
public final class JsonSerde<T> implements Serde<T> {
    private final Class<T> type;

    public JsonSerde(Class<T> type) {
        this.type = type;
    }

    public static <T> JsonSerde<T> of(Class<T> type) {
        return new JsonSerde<>(type);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : Json.bytes(value);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return Json.read(data, type);
            } catch (IOException e) {
                throw new SerializationException("not a valid " + type.getSimpleName() + ": " + Json.shortMessage(e), e);
            }
        };
    }

    /** Decodes or throws {@link SerializationException}; used where a stage routes failures to the DLQ. */
    public T decode(byte[] data) {
        return deserializer().deserialize(null, data);
    }
}
