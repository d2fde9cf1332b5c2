package dev.meshpipe.gateway;

/** The entity-tag comparisons of RFC 9110 section 13 that downloads need. */
final class Conditionals {
    private Conditionals() {}

    /**
     * Whether {@code If-None-Match} matches {@code etag}: {@code *}, or any listed tag equal to it
     * under weak comparison (a {@code W/} prefix on either side is ignored), so a cache that was
     * handed a weakened tag still gets 304.
     */
    static boolean noneMatchHits(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || etag == null) {
            return false;
        }
        if (ifNoneMatch.trim().equals("*")) {
            return true;
        }
        String opaque = opaque(etag);
        for (String tag : ifNoneMatch.split(",")) {
            if (opaque.equals(opaque(tag.trim()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a {@code Range} may be honoured under {@code If-Range}: without the header, yes;
     * with it, only when it is a strong entity tag equal to {@code etag}. A weak tag or a date
     * never matches (no Last-Modified is sent), so the client gets the whole, current file.
     */
    static boolean rangeApplies(String ifRange, String etag) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.trim();
        return etag != null && !v.startsWith("W/") && v.equals(etag);
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }
}
