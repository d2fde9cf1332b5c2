package dev.meshpipe.common;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A job id. Ids become object-store keys and URL segments, so only a conservative alphabet is
 * accepted: a client can never smuggle a path separator or dot-segment through one.
 */
public final class JobId {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private JobId() {}

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** Returns the id if valid, otherwise throws {@link MeshpipeException} with INVALID_JOB_ID. */
    public static String require(String id) {
        if (!isValid(id)) {
            throw new MeshpipeException(ErrorCode.INVALID_JOB_ID,
                    "job id must be 1-64 characters of letters, digits, '-' and '_', starting with a letter or digit");
        }
        return id;
    }
}
