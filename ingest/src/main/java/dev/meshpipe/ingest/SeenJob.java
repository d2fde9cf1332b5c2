package dev.meshpipe.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What ingest remembers of a job id: when it was first seen, and which tenant submitted it, so
 * that a repeat from another tenant is told apart from a producer's retry. Stored as the 8-byte
 * time, then a byte saying whether a tenant follows, then its UTF-8; the 8 bytes alone are an
 * entry written before tenants were kept ({@code tenantKnown} false).
 */
record SeenJob(long firstSeenMs, String tenant, boolean tenantKnown) {

    static SeenJob of(long firstSeenMs, String tenant) {
        return new SeenJob(firstSeenMs, tenant, true);
    }

    /** Whether {@code tenant} is a different owner than this id's (an entry from before tenants were kept counts as the same). */
    boolean ownedByAnother(String tenant) {
        return tenantKnown && !java.util.Objects.equals(this.tenant, tenant);
    }

    static Serde<SeenJob> serde() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : encode(s), (topic, bytes) -> bytes == null ? null : decode(bytes));
    }

    private static byte[] encode(SeenJob s) {
        byte[] t = s.tenant == null ? new byte[0] : s.tenant.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(9 + t.length).putLong(s.firstSeenMs).put((byte) (s.tenant == null ? 0 : 1)).put(t).array();
    }

    private static SeenJob decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long at = b.getLong();
        if (!b.hasRemaining()) {
            return new SeenJob(at, null, false);
        }
        boolean hasTenant = b.get() == 1;
        return new SeenJob(at, hasTenant ? StandardCharsets.UTF_8.decode(b).toString() : null, true);
    }
}
