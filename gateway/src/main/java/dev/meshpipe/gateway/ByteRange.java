package dev.meshpipe.gateway;

import java.util.Locale;

/**
 * One byte range of a representation, parsed from a {@code Range} header (RFC 9110 section 14).
 * {@link #parse} tells apart a header to ignore (answer 200 with the whole representation), one
 * that no byte satisfies (416) and a single range to serve (206).
 */
record ByteRange(Kind kind, long first, long last) {
    enum Kind { IGNORE, UNSATISFIABLE, RANGE }

    static final ByteRange IGNORE = new ByteRange(Kind.IGNORE, 0, -1);
    static final ByteRange UNSATISFIABLE = new ByteRange(Kind.UNSATISFIABLE, 0, -1);

    long length() {
        return last - first + 1;
    }

    /**
     * Parses {@code header} against a representation of {@code size} bytes. Invalid syntax and
     * other units are ignored, as RFC 9110 allows, rather than refused. Positions too large for a
     * long are valid: they only mean "to the end" (or, as a suffix, "all of it"). Several ranges
     * are answered with the whole representation, unless none of them is satisfiable.
     */
    static ByteRange parse(String header, long size) {
        String h = header.trim();
        int eq = h.indexOf('=');
        if (eq < 0 || !h.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return IGNORE;
        }
        String[] specs = h.substring(eq + 1).split(",", -1);
        ByteRange only = null;
        boolean anySatisfiable = false;
        for (String spec : specs) {
            ByteRange r = parseSpec(spec.trim(), size);
            if (r == null) {
                return IGNORE;
            }
            anySatisfiable |= r.kind == Kind.RANGE;
            only = r;
        }
        if (!anySatisfiable) {
            return UNSATISFIABLE;
        }
        return specs.length == 1 ? only : IGNORE;
    }

    /** One range-spec: a RANGE, UNSATISFIABLE, or null when it is not valid syntax. */
    private static ByteRange parseSpec(String spec, long size) {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String a = spec.substring(0, dash);
        String b = spec.substring(dash + 1);
        if (a.isEmpty()) {
            long suffix = digits(b);
            if (suffix < 0) {
                return null;
            }
            return suffix == 0 || size == 0 ? UNSATISFIABLE : new ByteRange(Kind.RANGE, Math.max(0, size - suffix), size - 1);
        }
        long first = digits(a);
        long last = b.isEmpty() ? Long.MAX_VALUE : digits(b);
        if (first < 0 || last < 0 || last < first) {
            return null; // a last position before the first makes the spec invalid, not unsatisfiable
        }
        return first >= size ? UNSATISFIABLE : new ByteRange(Kind.RANGE, first, Math.min(last, size - 1));
    }

    /** A run of ASCII digits as a long, saturating at Long.MAX_VALUE; -1 when it is not one. */
    private static long digits(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v > (Long.MAX_VALUE - (c - '0')) / 10 ? Long.MAX_VALUE : v * 10 + (c - '0');
        }
        return v;
    }
}
