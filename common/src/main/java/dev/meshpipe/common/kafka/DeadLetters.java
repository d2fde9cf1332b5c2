package dev.meshpipe.common.kafka;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers of a record sent to the dead-letter topic, the same from every stage: the record's
 * own headers, then why it could not be handled and where it came from.
 */
public final class DeadLetters {
    private DeadLetters() {}

    /** {@code sourceTopic} null when the record's origin is unknown (a punctuation, say): no source headers then. */
    public static RecordHeaders headers(Header[] original, String stage, ErrorCode code, String message,
                                        String sourceTopic, int sourcePartition, long sourceOffset) {
        RecordHeaders h = new RecordHeaders(original);
        h.add(Topics.HEADER_ERROR, utf8(code.name()));
        h.add(Topics.HEADER_ERROR_MESSAGE, utf8(message == null ? "" : message));
        h.add(Topics.HEADER_STAGE, utf8(stage));
        if (sourceTopic != null) {
            h.add(Topics.HEADER_SOURCE_TOPIC, utf8(sourceTopic));
            h.add(Topics.HEADER_SOURCE_PARTITION, utf8(String.valueOf(sourcePartition)));
            h.add(Topics.HEADER_SOURCE_OFFSET, utf8(String.valueOf(sourceOffset)));
        }
        return h;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
