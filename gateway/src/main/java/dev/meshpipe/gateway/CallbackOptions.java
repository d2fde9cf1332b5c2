package dev.meshpipe.gateway;

import dev.meshpipe.common.MeshpipeConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * How the gateway delivers completion webhooks (docs/api.md, "Completion webhooks"); environment
 * variables in docs/configuration.md.
 *
 * @param secret       MESHPIPE_WEBHOOK_SECRET: the HMAC-SHA256 key of {@code Meshpipe-Signature};
 *                     null (unset) sends callbacks unsigned
 * @param allowPrivate MESHPIPE_CALLBACK_ALLOW_PRIVATE: whether a callback may go to a loopback,
 *                     link-local, private or otherwise internal address (off: no SSRF into the
 *                     operator's network)
 * @param attempts     MESHPIPE_CALLBACK_ATTEMPTS: POSTs at most, the first included
 * @param backoff      MESHPIPE_CALLBACK_BACKOFF: the first pause between attempts; it doubles, up to {@link #MAX_BACKOFF}
 * @param timeout      MESHPIPE_CALLBACK_TIMEOUT: how long one attempt may take (connect and answer)
 */
public record CallbackOptions(byte[] secret, boolean allowPrivate, int attempts, Duration backoff, Duration timeout) {
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    /** 8 attempts over about 4 minutes (2 + 4 + ... + 128 s of pauses), no private addresses, unsigned. */
    public static CallbackOptions defaults() {
        return new CallbackOptions(null, false, 8, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    public static CallbackOptions fromEnv(Map<String, String> env) {
        CallbackOptions d = defaults();
        String secret = env.get("MESHPIPE_WEBHOOK_SECRET");
        String allow = env.get("MESHPIPE_CALLBACK_ALLOW_PRIVATE");
        return new CallbackOptions(secret == null || secret.isBlank() ? null : secret.getBytes(StandardCharsets.UTF_8),
                allow != null && Boolean.parseBoolean(allow.trim()),
                Math.max(1, Integer.parseInt(env.getOrDefault("MESHPIPE_CALLBACK_ATTEMPTS", String.valueOf(d.attempts())).trim())),
                env.containsKey("MESHPIPE_CALLBACK_BACKOFF") ? MeshpipeConfig.parseDuration(env.get("MESHPIPE_CALLBACK_BACKOFF")) : d.backoff(),
                env.containsKey("MESHPIPE_CALLBACK_TIMEOUT") ? MeshpipeConfig.parseDuration(env.get("MESHPIPE_CALLBACK_TIMEOUT")) : d.timeout());
    }

    public CallbackOptions withSecret(byte[] s) {
        return new CallbackOptions(s, allowPrivate, attempts, backoff, timeout);
    }

    public CallbackOptions withAllowPrivate(boolean allow) {
        return new CallbackOptions(secret, allow, attempts, backoff, timeout);
    }

    public CallbackOptions withRetries(int attempts, Duration backoff, Duration timeout) {
        return new CallbackOptions(secret, allowPrivate, attempts, backoff, timeout);
    }

    /** The pause before attempt {@code n + 1} (n >= 1): the backoff doubled n - 1 times, at most {@link #MAX_BACKOFF}. */
    Duration pauseAfter(int n) {
        Duration d = backoff.multipliedBy(1L << Math.min(n - 1, 20));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    @Override
    public String toString() {
        return "CallbackOptions[signed=" + (secret != null) + ", allowPrivate=" + allowPrivate + ", attempts=" + attempts
                + ", backoff=" + backoff + ", timeout=" + timeout + "]";
    }
}
