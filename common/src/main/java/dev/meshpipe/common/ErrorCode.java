package dev.meshpipe.common;

import java.time.Duration;
import java.util.Optional;

/**
 * Stable error codes. They appear in FAILED events, in HTTP problem bodies and in CLI output, so
 * clients may switch on them: never rename one, only add.
 */
public enum ErrorCode {
    // Submissions and parameters
    INVALID_SUBMISSION(400),
    INVALID_PARAMETER(400),
    INVALID_JOB_ID(400),
    INVALID_REQUEST(400),
    UNSUPPORTED_INPUT(400),
    UNSUPPORTED_MEDIA_TYPE(415),
    PAYLOAD_TOO_LARGE(413),
    INVALID_VOLUME(422),
    VOLUME_TOO_LARGE(422),
    INPUT_NOT_FOUND(422),
    /** A callbackUrl that is not an absolute http(s) URL of at most 2,048 characters without userinfo, or one the gateway may not call. */
    INVALID_CALLBACK_URL(400),
    // Job lifecycle as seen by clients
    JOB_NOT_FOUND(404),
    JOB_NOT_READY(409),
    JOB_ALREADY_FINISHED(409),
    RESULT_EXPIRED(410),
    JOB_FAILED(500),
    JOB_CANCELLED(500),
    // Inside the pipeline
    MESHING_FAILED(500),
    GPU_ERROR(500),
    WORKER_CRASHED(500),
    INCOMPLETE_RESULTS(500),
    STORAGE_UNAVAILABLE(503),
    STATUS_UNAVAILABLE(503),
    UNAUTHORIZED(401),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    INTERNAL_ERROR(500),
    // The HTTP edge: a stalled upload, a full disk, a reused key, a tenant over its quota
    UPLOAD_TIMEOUT(408),
    INSUFFICIENT_STORAGE(507),
    IDEMPOTENCY_KEY_REUSED(422),
    TENANT_QUOTA_EXCEEDED(429),
    /** A submission named a job id that already names a job (whoever owns it). */
    JOB_ID_TAKEN(409),
    // DICOM series input (docs/api.md, "DICOM series")
    UNSUPPORTED_TRANSFER_SYNTAX(415),
    AMBIGUOUS_SERIES(422),
    NO_IMAGE_SERIES(422),
    NOT_A_VOLUME(422),
    IRREGULAR_SLICE_SPACING(422),
    MISSING_SLICES(422),
    GANTRY_TILT(422),
    INCONSISTENT_SERIES(422),
    UNSUPPORTED_MULTIFRAME(422),
    TOO_MANY_FILES(413),
    /** This gateway instance holds as many open event streams ({@code GET /jobs/{id}/events}) as it may. */
    TOO_MANY_STREAMS(503);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /**
     * How long a client should wait before asking again ({@code Retry-After}); empty for codes
     * where the same request will not succeed later. A failure may name its own wait instead
     * ({@link MeshpipeException#retryAfter(Duration)}).
     */
    public Optional<Duration> retryAfter() {
        return switch (this) {
            // The status store answers again once its rebalance or restore is over: soon.
            case STATUS_UNAVAILABLE -> Optional.of(Duration.ofSeconds(1));
            // A job moves on within seconds; polling faster only loads the gateway.
            case JOB_NOT_READY -> Optional.of(Duration.ofSeconds(2));
            case STORAGE_UNAVAILABLE -> Optional.of(Duration.ofSeconds(5));
            // Streams end with their jobs, so a slot frees up soon; polling GET /jobs/{id} works meanwhile.
            case TOO_MANY_STREAMS -> Optional.of(Duration.ofSeconds(5));
            // An unfinished job of the tenant's takes about this long to finish.
            case TENANT_QUOTA_EXCEEDED -> Optional.of(Duration.ofSeconds(30));
            default -> Optional.empty();
        };
    }
}
