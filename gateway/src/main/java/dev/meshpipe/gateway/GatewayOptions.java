package dev.meshpipe.gateway;

import dev.meshpipe.common.MeshpipeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What only the gateway needs; environment variables in docs/configuration.md.
 *
 * @param advertisedHost  MESHPIPE_ADVERTISED_HOST: how other gateway instances reach this one
 * @param standbyReplicas MESHPIPE_STANDBY_REPLICAS: warm copies of each status partition
 * @param statusRetention MESHPIPE_STATUS_RETENTION: finished jobs' statuses are removed after this
 * @param tokens          MESHPIPE_AUTH_TOKENS (token=tenant,...) or MESHPIPE_AUTH_TOKENS_FILE; empty: no auth
 * @param linkSecret      MESHPIPE_LINK_SECRET: signs download links and calls between instances
 * @param linkLifetime    MESHPIPE_LINK_LIFETIME: how long a signed download link works
 * @param limits          idle timeout, free-space floor and tenant quotas ({@link EdgeLimits})
 * @param callbacks       completion webhooks: signing secret, private addresses, retries ({@link CallbackOptions})
 */
public record GatewayOptions(String advertisedHost, int standbyReplicas, Duration statusRetention,
                             Map<String, String> tokens, byte[] linkSecret, Duration linkLifetime, EdgeLimits limits,
                             CallbackOptions callbacks) {

    public GatewayOptions(String advertisedHost, int standbyReplicas, Duration statusRetention,
                          Map<String, String> tokens, byte[] linkSecret, Duration linkLifetime, EdgeLimits limits) {
        this(advertisedHost, standbyReplicas, statusRetention, tokens, linkSecret, linkLifetime, limits, CallbackOptions.defaults());
    }

    public static GatewayOptions defaults() {
        return new GatewayOptions("localhost", 0, Duration.ofDays(7), Map.of(), randomSecret(), Duration.ofHours(1), EdgeLimits.defaults());
    }

    public GatewayOptions withCallbacks(CallbackOptions c) {
        return new GatewayOptions(advertisedHost, standbyReplicas, statusRetention, tokens, linkSecret, linkLifetime, limits, c);
    }

    public boolean authEnabled() {
        return !tokens.isEmpty();
    }

    public GatewayOptions withTokens(Map<String, String> t) {
        return new GatewayOptions(advertisedHost, standbyReplicas, statusRetention, Map.copyOf(t), linkSecret, linkLifetime, limits, callbacks);
    }

    public GatewayOptions withStatusRetention(Duration d) {
        return new GatewayOptions(advertisedHost, standbyReplicas, d, tokens, linkSecret, linkLifetime, limits, callbacks);
    }

    public GatewayOptions withLinkSecret(byte[] secret) {
        return new GatewayOptions(advertisedHost, standbyReplicas, statusRetention, tokens, secret, linkLifetime, limits, callbacks);
    }

    public GatewayOptions withLimits(EdgeLimits l) {
        return new GatewayOptions(advertisedHost, standbyReplicas, statusRetention, tokens, linkSecret, linkLifetime, l, callbacks);
    }

    public static GatewayOptions fromEnv(Map<String, String> env) {
        Map<String, String> tokens = new LinkedHashMap<>();
        if (env.containsKey("MESHPIPE_AUTH_TOKENS")) {
            tokens.putAll(parseTokens(env.get("MESHPIPE_AUTH_TOKENS").replace(',', '\n')));
        }
        if (env.containsKey("MESHPIPE_AUTH_TOKENS_FILE")) {
            try {
                tokens.putAll(parseTokens(Files.readString(Path.of(env.get("MESHPIPE_AUTH_TOKENS_FILE")))));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read MESHPIPE_AUTH_TOKENS_FILE", e);
            }
        }
        String secret = env.get("MESHPIPE_LINK_SECRET");
        return new GatewayOptions(
                env.getOrDefault("MESHPIPE_ADVERTISED_HOST", "localhost"),
                Integer.parseInt(env.getOrDefault("MESHPIPE_STANDBY_REPLICAS", "0")),
                MeshpipeConfig.parseDuration(env.getOrDefault("MESHPIPE_STATUS_RETENTION", "7d")),
                Map.copyOf(tokens),
                secret == null || secret.isBlank() ? randomSecret() : secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                MeshpipeConfig.parseDuration(env.getOrDefault("MESHPIPE_LINK_LIFETIME", "1h")),
                EdgeLimits.fromEnv(env),
                CallbackOptions.fromEnv(env));
    }

    /** Lines (or commas) of {@code token=tenant}; blank lines and # comments are skipped. */
    static Map<String, String> parseTokens(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0 || eq == l.length() - 1) {
                throw new IllegalArgumentException("auth tokens must be written token=tenant");
            }
            out.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
        }
        return out;
    }

    static byte[] randomSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    @Override
    public String toString() {
        return "GatewayOptions[advertisedHost=" + advertisedHost + ", standbyReplicas=" + standbyReplicas
                + ", statusRetention=" + statusRetention + ", tokens=" + tokens.size() + " (secrets not shown)]";
    }
}
