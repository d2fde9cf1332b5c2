package dev.meshpipe.mesh;

/** An expected failure (bad input, a limit reached) with a stable {@link MeshError}; the message is for people. */
public class MeshException extends RuntimeException {
    private final MeshError code;

    public MeshException(MeshError code, String message) {
        super(message);
        this.code = code;
    }

    public MeshException(MeshError code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public MeshError code() {
        return code;
    }
}
