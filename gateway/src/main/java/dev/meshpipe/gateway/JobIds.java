package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.MeshpipeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The ids a submission's job gets: chosen by the client, derived from an Idempotency-Key, and the request's fingerprint. */
final class JobIds {
    static final int MAX_IDEMPOTENCY_KEY = 200;
    static final String IDEMPOTENT_PREFIX = "idem-";

    private JobIds() {}

    /** The id a JSON request names for its job; {@code idem-} ids are kept for Idempotency-Key. */
    static String chosen(String id) {
        JobId.require(id);
        if (id.startsWith(IDEMPOTENT_PREFIX)) {
            throw new MeshpipeException(ErrorCode.INVALID_JOB_ID, "job ids starting with '" + IDEMPOTENT_PREFIX + "' are kept for Idempotency-Key");
        }
        return id;
    }

    /** A job id derived from the tenant and the client's key: retries map to one job, tenants never collide. */
    static String idempotentId(String tenant, String key) {
        if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "Idempotency-Key must be 1-" + MAX_IDEMPOTENCY_KEY + " characters");
        }
        byte[] h = sha256().digest(((tenant == null ? "" : tenant) + "\n" + key).getBytes(StandardCharsets.UTF_8));
        return IDEMPOTENT_PREFIX + HexFormat.of().formatHex(h, 0, 20);
    }

    /**
     * A job id names one job among all tenants'. Whoever holds it, the refusal is this same
     * answer, which says nothing of the job: not its owner, its state or its name.
     */
    static MeshpipeException taken(String id) {
        return new MeshpipeException(ErrorCode.JOB_ID_TAKEN, "the job id '" + id + "' is taken; choose another"
                + " (to retry a submission safely, send an Idempotency-Key)");
    }

    /** A hash of what a request asks for: its kind and each part, length-prefixed so parts cannot run together. */
    static String fingerprint(String kind, byte[]... parts) {
        MessageDigest d = sha256();
        d.update(kind.getBytes(StandardCharsets.UTF_8));
        for (byte[] p : parts) {
            d.update(ByteBuffer.allocate(8).putLong(p.length).array());
            d.update(p);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
