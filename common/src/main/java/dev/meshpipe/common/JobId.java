package dev.meshpipe.common;

import java.util.UUID;

/**
 * A job id. Ids become object-store keys and URL segments, so only a conservative alphabet is
 * accepted: a client can never smuggle a path separator or dot-segment through one.
 */
public final class JobId {
    private JobId() {}

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Same as the pattern {@code [A-Za-z0-9][A-Za-z0-9_-]{0,63}}, without a regex: it runs on every request. */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || (c != '-' && c != '_'))) {
                return false;
            }
        }
        return true;
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
