package dev.meshpipe.gateway;

import dev.meshpipe.common.MeshpipeConfig;
import java.time.Duration;
import java.util.Map;

/**
 * What bounds the disk and the connections clients may use; environment variables in
 * docs/configuration.md.
 *
 * @param idleTimeout          MESHPIPE_HTTP_IDLE_TIMEOUT: a request that sends or receives no byte for this long
 *                             is ended (a stalled upload gets 408 {@code UPLOAD_TIMEOUT})
 * @param minFreeBytes         MESHPIPE_MIN_FREE_BYTES: uploads to a filesystem store are refused (507
 *                             {@code INSUFFICIENT_STORAGE}) when they would leave less free than this
 * @param tenantMaxActiveJobs  MESHPIPE_TENANT_MAX_ACTIVE_JOBS: unfinished jobs one tenant may have; 0: no limit
 * @param tenantMaxStoredBytes MESHPIPE_TENANT_MAX_STORED_BYTES: bytes of uploads and results one tenant may
 *                             have stored; 0: no limit
 * @param maxEventStreams       MESHPIPE_MAX_EVENT_STREAMS: open {@code GET /jobs/{id}/events} streams on this instance;
 *                             one more is 503 {@code TOO_MANY_STREAMS}
 * @param tenantMaxEventStreams MESHPIPE_TENANT_MAX_EVENT_STREAMS: open event streams of one tenant on this instance;
 *                             one more is 429 {@code TENANT_QUOTA_EXCEEDED}; 0: no limit but the instance's
 */
public record EdgeLimits(Duration idleTimeout, long minFreeBytes, int tenantMaxActiveJobs, long tenantMaxStoredBytes,
                         int maxEventStreams, int tenantMaxEventStreams) {

    public static final long DEFAULT_MIN_FREE_BYTES = 256L << 20;

    public static EdgeLimits defaults() {
        return new EdgeLimits(Duration.ofSeconds(30), DEFAULT_MIN_FREE_BYTES, 0, 0, 1_000, 100);
    }

    public static EdgeLimits fromEnv(Map<String, String> env) {
        EdgeLimits d = defaults();
        return new EdgeLimits(
                env.containsKey("MESHPIPE_HTTP_IDLE_TIMEOUT") ? MeshpipeConfig.parseDuration(env.get("MESHPIPE_HTTP_IDLE_TIMEOUT")) : d.idleTimeout,
                Long.parseLong(env.getOrDefault("MESHPIPE_MIN_FREE_BYTES", String.valueOf(d.minFreeBytes))),
                Integer.parseInt(env.getOrDefault("MESHPIPE_TENANT_MAX_ACTIVE_JOBS", "0")),
                Long.parseLong(env.getOrDefault("MESHPIPE_TENANT_MAX_STORED_BYTES", "0")),
                Integer.parseInt(env.getOrDefault("MESHPIPE_MAX_EVENT_STREAMS", String.valueOf(d.maxEventStreams))),
                Integer.parseInt(env.getOrDefault("MESHPIPE_TENANT_MAX_EVENT_STREAMS", String.valueOf(d.tenantMaxEventStreams))));
    }

    public EdgeLimits withIdleTimeout(Duration d) {
        return new EdgeLimits(d, minFreeBytes, tenantMaxActiveJobs, tenantMaxStoredBytes, maxEventStreams, tenantMaxEventStreams);
    }

    public EdgeLimits withMinFreeBytes(long bytes) {
        return new EdgeLimits(idleTimeout, bytes, tenantMaxActiveJobs, tenantMaxStoredBytes, maxEventStreams, tenantMaxEventStreams);
    }

    public EdgeLimits withTenantQuotas(int maxActiveJobs, long maxStoredBytes) {
        return new EdgeLimits(idleTimeout, minFreeBytes, maxActiveJobs, maxStoredBytes, maxEventStreams, tenantMaxEventStreams);
    }

    public EdgeLimits withEventStreams(int max, int perTenant) {
        return new EdgeLimits(idleTimeout, minFreeBytes, tenantMaxActiveJobs, tenantMaxStoredBytes, max, perTenant);
    }
}
