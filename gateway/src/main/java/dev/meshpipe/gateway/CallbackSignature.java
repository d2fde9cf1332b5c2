package dev.meshpipe.gateway;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code Meshpipe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}, Stripe's
 * scheme: the timestamp is signed with the body, so a receiver that refuses old timestamps also
 * refuses replays of a captured request. Every attempt is signed afresh.
 */
public final class CallbackSignature {
    public static final String HEADER = "Meshpipe-Signature";

    private CallbackSignature() {}

    /** The header's value for {@code body} sent at {@code unixSeconds}. */
    public static String header(byte[] secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(hmac(secret, unixSeconds, body));
    }

    /**
     * What a receiver does: true when the header's v1 matches and its timestamp is within
     * {@code toleranceSeconds} of {@code nowSeconds}. Compared in constant time.
     */
    public static boolean verify(byte[] secret, String header, byte[] body, long nowSeconds, long toleranceSeconds) {
        if (header == null) {
            return false;
        }
        Long t = null;
        byte[] v1 = null;
        for (String part : header.split(",")) {
            String p = part.trim();
            try {
                if (p.startsWith("t=")) {
                    t = Long.parseLong(p.substring(2));
                } else if (p.startsWith("v1=")) {
                    v1 = HexFormat.of().parseHex(p.substring(3));
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return t != null && v1 != null && Math.abs(nowSeconds - t) <= toleranceSeconds
                && MessageDigest.isEqual(v1, hmac(secret, t, body));
    }

    private static byte[] hmac(byte[] secret, long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
