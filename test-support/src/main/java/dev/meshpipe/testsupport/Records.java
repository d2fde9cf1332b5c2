package dev.meshpipe.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Counts over records read from a topic ({@link TopicReader}): how often each job appears. */
public final class Records {
    private Records() {}

    /** Records per key; with {@code state}, only events in that state. */
    public static Map<String, Integer> countByKey(List<ConsumerRecord<String, byte[]>> records, String state) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            if (state != null) {
                JsonNode e = Json.MAPPER.readTree(r.value());
                if (!state.equals(e.path("state").asText())) {
                    continue;
                }
            }
            out.merge(r.key(), 1, Integer::sum);
        }
        return out;
    }
}
