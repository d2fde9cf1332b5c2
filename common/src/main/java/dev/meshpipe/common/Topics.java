package dev.meshpipe.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Topic names (key = job id, value = JSON) and their idempotent creation. Schemas: docs/events.md. */
public final class Topics {
    public static final String SUBMITTED = "meshpipe.jobs.submitted";
    public static final String TASKS = "meshpipe.jobs.tasks";
    public static final String MESHED = "meshpipe.jobs.meshed";
    public static final String COMPLETED = "meshpipe.jobs.completed";
    public static final String EVENTS = "meshpipe.jobs.events";
    public static final String DLQ = "meshpipe.jobs.dlq";
    /** A job's terminal status with a callbackUrl, written by the gateway's status fold for its webhook sender. */
    public static final String CALLBACKS = "meshpipe.callbacks";

    public static final List<String> ALL = List.of(SUBMITTED, TASKS, MESHED, COMPLETED, EVENTS, DLQ, CALLBACKS);

    /** DLQ record headers. */
    public static final String HEADER_ERROR = "meshpipe.error";
    public static final String HEADER_ERROR_MESSAGE = "meshpipe.error.message";
    public static final String HEADER_SOURCE_TOPIC = "meshpipe.source.topic";
    public static final String HEADER_SOURCE_PARTITION = "meshpipe.source.partition";
    public static final String HEADER_SOURCE_OFFSET = "meshpipe.source.offset";
    public static final String HEADER_STAGE = "meshpipe.stage";

    private static final Logger log = LoggerFactory.getLogger(Topics.class);
    private static final long WEEK_MS = 7L * 24 * 3600 * 1000;

    private Topics() {}

    /** Creates any missing topic; existing ones are left as they are. */
    public static void create(String bootstrapServers, int partitions, short replication) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String name : ALL) {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, partitions, replication).configs(configFor(name, replication)));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get();
                    log.info("created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    static Map<String, String> configFor(String topic, short replication) {
        // Events and completions are kept a week, well past the default result retention, so
        // late consumers can still catch up; the gateway's own store is a compacted changelog.
        String minIsr = replication >= 3 ? "2" : "1";
        return Map.of(
                TopicConfig.RETENTION_MS_CONFIG, String.valueOf(WEEK_MS),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minIsr,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, topic.equals(SUBMITTED) ? String.valueOf(16 * 1024 * 1024) : String.valueOf(1024 * 1024));
    }
}
