package dev.meshpipe.gpu;

/** There is no usable GPU here; the message says why, in one line. */
public final class GpuUnavailableException extends RuntimeException {
    GpuUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
