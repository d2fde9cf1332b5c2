package dev.meshpipe.common.events;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The form of a job's {@code callbackUrl}, checked wherever a job enters (HTTP, Kafka, the CLI).
 * Whether the gateway may call its host (private addresses) depends on the operator's settings
 * and DNS, so the gateway checks that itself, at the edge and again before each delivery.
 */
public final class CallbackUrl {
    public static final int MAX_LENGTH = 2048;

    private CallbackUrl() {}

    /** The URL trimmed, or INVALID_CALLBACK_URL saying what is wrong with it. */
    public static String validated(String url) {
        String u = url.trim();
        if (u.isEmpty()) {
            throw invalid("callbackUrl is empty");
        }
        if (u.length() > MAX_LENGTH) {
            throw invalid("callbackUrl longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw invalid("callbackUrl is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw invalid("callbackUrl must be an absolute http or https URL, got '" + JobParams.abbreviate(u) + "'");
        }
        // A password in the URL would be stored in topics and logs; receivers authenticate the signature instead.
        if (uri.getRawUserInfo() != null) {
            throw invalid("callbackUrl must not carry a user name or password");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid("callbackUrl has no host name, got '" + JobParams.abbreviate(u) + "'");
        }
        if (uri.getRawFragment() != null) {
            throw invalid("callbackUrl must not have a fragment (#...)");
        }
        return u;
    }

    /** The URL's valid form, or null when it has none (for events that must not fail on it). */
    public static String orNull(String url) {
        try {
            return url == null ? null : validated(url);
        } catch (MeshpipeException e) {
            return null;
        }
    }

    private static MeshpipeException invalid(String message) {
        return new MeshpipeException(ErrorCode.INVALID_CALLBACK_URL, message);
    }
}
