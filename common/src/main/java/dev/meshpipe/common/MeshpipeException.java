package dev.meshpipe.common;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An expected failure with a stable {@link ErrorCode}: reported to users, never as a stack trace.
 * At the HTTP edge it becomes one problem+json answer: its status from the code, its
 * {@link #details()} as extra members, and {@code Retry-After} from {@link #retryAfter()}.
 */
public class MeshpipeException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details = new LinkedHashMap<>();
    private Duration retryAfter;

    public MeshpipeException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public MeshpipeException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** Adds a member that tells the client more (a state, a limit); meant while the exception is built. */
    public MeshpipeException with(String key, Object value) {
        details.put(key, value);
        return this;
    }

    /** Overrides the code's own retry rule ({@link ErrorCode#retryAfter()}) for this one failure. */
    public MeshpipeException retryAfter(Duration wait) {
        this.retryAfter = wait;
        return this;
    }

    public Map<String, Object> details() {
        return Collections.unmodifiableMap(details);
    }

    /** How long a client should wait before asking again: this failure's own, else its code's; empty: do not retry as is. */
    public Optional<Duration> retryAfter() {
        return retryAfter != null ? Optional.of(retryAfter) : code.retryAfter();
    }
}
