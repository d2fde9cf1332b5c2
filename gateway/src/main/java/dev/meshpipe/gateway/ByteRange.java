package dev.meshpipe.gateway;

/** Parses a single {@code Range: bytes=...} header (RFC 9110 section 14). */
final class ByteRange {
    private ByteRange() {}

    /**
     * Returns {first, last} for one satisfiable range, an empty array for a header to ignore
     * (multiple ranges or another unit: answer the whole entity), or null when unsatisfiable.
     */
    static long[] parse(String header, long size) {
        String h = header.trim();
        if (!h.startsWith("bytes=")) {
            return new long[0];
        }
        String spec = h.substring(6).trim();
        if (spec.contains(",")) {
            return new long[0];
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || size == 0) {
                    return null;
                }
                return new long[] {Math.max(0, size - suffix), size - 1};
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (first < 0 || first >= size || last < first) {
                return null;
            }
            return new long[] {first, last};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
