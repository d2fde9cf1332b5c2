package dev.meshpipe.common;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;

/**
 * Where the mesh library's errors enter the pipeline: each {@link MeshError} becomes the
 * {@link ErrorCode} of the same name, so FAILED events, HTTP problems and CLI lines carry the codes
 * they always did. Pipeline code calls the library through {@link #call} and sees only
 * {@link MeshpipeException}.
 */
public final class MeshErrors {
    /** The pipeline's setting for the library's file limit, named where the limit is hit. */
    static final String MAX_FILES_HINT = " (MESHPIPE_DICOM_MAX_FILES sets the limit)";

    private MeshErrors() {}

    /** A call into the mesh library; X is the checked exception it may throw, if any. */
    @FunctionalInterface
    public interface MeshCall<T, X extends Exception> {
        T call() throws X;
    }

    public static ErrorCode code(MeshError error) {
        return ErrorCode.valueOf(error.name());
    }

    public static MeshpipeException toPipeline(MeshException e) {
        String hint = e.code() == MeshError.TOO_MANY_FILES ? MAX_FILES_HINT : "";
        return new MeshpipeException(code(e.code()), e.getMessage() + hint, e);
    }

    /** Runs a library call, turning its MeshException into the MeshpipeException with the same code. */
    public static <T, X extends Exception> T call(MeshCall<T, X> call) throws X {
        try {
            return call.call();
        } catch (MeshException e) {
            throw toPipeline(e);
        }
    }
}
