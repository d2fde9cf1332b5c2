package dev.meshpipe.gateway;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** An RFC 9457 problem body, with meshpipe's stable {@code code} and any extra members. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String code,
                      @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Object> extra) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** The body for a failure answered with {@code status} (its code's, or the HTTP server's own). */
    static Problem of(MeshpipeException e, int status, String instance) {
        ErrorCode code = e.code();
        return new Problem("https://meshpipe.dev/problems/" + code.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                title(code), status, e.getMessage(), instance, code.name(), new LinkedHashMap<>(e.details()));
    }

    @JsonAnyGetter
    public Map<String, Object> extraMembers() {
        return extra;
    }

    static String title(ErrorCode code) {
        return switch (code) {
            case INVALID_SUBMISSION -> "Invalid submission";
            case INVALID_PARAMETER -> "Invalid parameter";
            case INVALID_JOB_ID -> "Invalid job id";
            case INVALID_REQUEST -> "Invalid request";
            case UNSUPPORTED_INPUT -> "Unsupported input";
            case UNSUPPORTED_MEDIA_TYPE -> "Unsupported media type";
            case PAYLOAD_TOO_LARGE -> "Payload too large";
            case INVALID_VOLUME -> "Invalid volume";
            case VOLUME_TOO_LARGE -> "Volume too large";
            case INPUT_NOT_FOUND -> "Input not found";
            case INVALID_CALLBACK_URL -> "Invalid callback URL";
            case JOB_NOT_FOUND -> "Job not found";
            case JOB_NOT_READY -> "Job not ready";
            case JOB_ALREADY_FINISHED -> "Job already finished";
            case RESULT_EXPIRED -> "Result expired";
            case JOB_FAILED -> "Job failed";
            case JOB_CANCELLED -> "Job cancelled";
            case MESHING_FAILED -> "Meshing failed";
            case GPU_ERROR -> "GPU error";
            case WORKER_CRASHED -> "Worker crashed";
            case INCOMPLETE_RESULTS -> "Incomplete results";
            case STORAGE_UNAVAILABLE -> "Storage unavailable";
            case STATUS_UNAVAILABLE -> "Status unavailable";
            case UNAUTHORIZED -> "Unauthorized";
            case NOT_FOUND -> "Not found";
            case METHOD_NOT_ALLOWED -> "Method not allowed";
            case INTERNAL_ERROR -> "Internal error";
            case UPLOAD_TIMEOUT -> "Upload timed out";
            case INSUFFICIENT_STORAGE -> "Insufficient storage";
            case IDEMPOTENCY_KEY_REUSED -> "Idempotency key reused";
            case TENANT_QUOTA_EXCEEDED -> "Tenant quota exceeded";
            case JOB_ID_TAKEN -> "Job id taken";
            case UNSUPPORTED_TRANSFER_SYNTAX -> "Unsupported transfer syntax";
            case AMBIGUOUS_SERIES -> "Ambiguous series";
            case NO_IMAGE_SERIES -> "No image series";
            case NOT_A_VOLUME -> "Not a volume";
            case IRREGULAR_SLICE_SPACING -> "Irregular slice spacing";
            case MISSING_SLICES -> "Missing slices";
            case GANTRY_TILT -> "Gantry tilt";
            case INCONSISTENT_SERIES -> "Inconsistent series";
            case UNSUPPORTED_MULTIFRAME -> "Unsupported multi-frame image";
            case TOO_MANY_FILES -> "Too many files";
            case TOO_MANY_STREAMS -> "Too many event streams";
        };
    }
}
