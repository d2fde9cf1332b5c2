package dev.meshpipe.common;

/** An expected failure with a stable {@link ErrorCode}: reported to users, never as a stack trace. */
public class MeshpipeException extends RuntimeException {
    private final ErrorCode code;

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
}
