package dev.meshpipe.common.kafka;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes progress events outside any transaction, so people see them while a job runs. They
 * are idempotent but not exactly-once; the gateway's monotonic fold makes a repeat harmless.
 */
public final class EventPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
    private final KafkaProducer<String, byte[]> producer;

    /** Progress events: batched for up to 5 ms, since nobody waits for one. */
    public EventPublisher(String bootstrapServers, String clientId) {
        this(bootstrapServers, clientId, 5);
    }

    /**
     * {@code lingerMs} 0 where a caller waits for each send ({@link #publishAndWait}, the gateway's
     * POST): a linger would only add to every request's time, while sends that pile up during
     * one in flight are still batched.
     */
    public EventPublisher(String bootstrapServers, String clientId, int lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public void publish(JobEvent event) {
        producer.send(new ProducerRecord<>(Topics.EVENTS, event.jobId(), Json.bytes(event)), (md, e) -> {
            if (e != null) {
                log.warn("progress event for job {} not delivered: {}", event.jobId(), e.toString());
            }
        });
    }

    /** Sends and waits for the broker's acknowledgement; returns where the record landed. */
    public org.apache.kafka.clients.producer.RecordMetadata publishAndWait(String topic, String key, Object value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, key, Json.bytes(value))).get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
