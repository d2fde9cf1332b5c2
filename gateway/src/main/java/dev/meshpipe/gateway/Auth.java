package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobStatus;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Bearer tokens mapped to tenants, tenant isolation, and signed download links. With no tokens
 * configured every caller is anonymous and sees every job.
 */
final class Auth {
    static final String TENANT = "meshpipe.tenant";

    private final Map<String, String> tokens;
    private final byte[] secret;

    Auth(Map<String, String> tokens, byte[] secret) {
        this.tokens = tokens;
        this.secret = secret;
    }

    boolean enabled() {
        return !tokens.isEmpty();
    }

    /** Sets the caller's tenant on the request, or ends it with 401. Signed download links pass without a token. */
    void authenticate(Context ctx) {
        if (!enabled()) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String tenant = tenantOfToken(header.substring(7).trim());
            if (tenant != null) {
                ctx.attribute(TENANT, tenant);
                return;
            }
        }
        if (ctx.path().endsWith("/download") && signedLinkValid(ctx)) {
            return;
        }
        ctx.header("WWW-Authenticate", "Bearer realm=\"meshpipe\"");
        throw new MeshpipeException(ErrorCode.UNAUTHORIZED, header == null ? "a bearer token is required" : "the token is not valid");
    }

    /** Compares every token in constant time, so timing tells nothing about which ones exist. */
    private String tenantOfToken(String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (Map.Entry<String, String> e : tokens.entrySet()) {
            if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                found = e.getValue();
            }
        }
        return found;
    }

    static String tenant(Context ctx) {
        return ctx.attribute(TENANT);
    }

    /** Whether the caller may see the job: another tenant's job looks exactly like a missing one. */
    boolean visible(Context ctx, JobStatus s) {
        if (!enabled() || Boolean.TRUE.equals(ctx.attribute("meshpipe.signed"))) {
            return true;
        }
        return Objects.equals(tenant(ctx), s.tenant());
    }

    /** A link to the job's ZIP that works without a token until {@code expires}. */
    String signedDownload(String id, Instant expires) {
        long exp = expires.getEpochSecond();
        return "/jobs/" + id + "/download?expires=" + exp + "&signature=" + sign("download:" + id + ":" + exp);
    }

    private boolean signedLinkValid(Context ctx) {
        // Before routing there are no path params: /jobs/{id}/download by hand.
        String[] parts = ctx.path().split("/");
        if (parts.length != 4 || !dev.meshpipe.common.JobId.isValid(parts[2])) {
            return false;
        }
        String id = parts[2];
        String expires = ctx.queryParam("expires");
        String signature = ctx.queryParam("signature");
        if (expires == null || signature == null) {
            return false;
        }
        long exp;
        try {
            exp = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return false;
        }
        if (exp < Instant.now().getEpochSecond()) {
            return false;
        }
        boolean ok = MessageDigest.isEqual(sign("download:" + id + ":" + exp).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
        if (ok) {
            ctx.attribute("meshpipe.signed", true);
        }
        return ok;
    }

    /** Signs calls between gateway instances, which carry no user token. */
    String internalSignature(String id) {
        return sign("internal:" + id);
    }

    boolean internalValid(String id, String signature) {
        return signature != null && MessageDigest.isEqual(internalSignature(id).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String sign(String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
