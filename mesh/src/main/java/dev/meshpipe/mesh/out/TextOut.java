package dev.meshpipe.mesh.out;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A buffered writer of ASCII text and decimal numbers straight to bytes. Text mesh formats write
 * millions of numbers; String.format and Float.toString cost far more than the digits themselves.
 * Does not close the stream under it.
 */
final class TextOut {
    /** Significant digits that always bring a float back exactly (float has 24 bits: 9 digits). */
    static final int FLOAT_DIGITS = 9;
    private static final long[] POW10 = new long[19];
    private static final double[] POW10D = new double[19];

    static {
        long p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            POW10D[i] = p;
            p *= 10;
        }
    }

    private final OutputStream out;
    private final byte[] buf = new byte[1 << 16];
    private int n;

    TextOut(OutputStream out) {
        this.out = out;
    }

    private void ensure(int k) throws IOException {
        if (buf.length - n < k) {
            flush();
        }
    }

    void flush() throws IOException {
        out.write(buf, 0, n);
        n = 0;
    }

    TextOut ascii(String s) throws IOException {
        return bytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    TextOut bytes(byte[] b) throws IOException {
        if (b.length > buf.length - n) {
            flush();
            if (b.length > buf.length) {
                out.write(b);
                return this;
            }
        }
        System.arraycopy(b, 0, buf, n, b.length);
        n += b.length;
        return this;
    }

    TextOut ch(char c) throws IOException {
        ensure(1);
        buf[n++] = (byte) c;
        return this;
    }

    /** Text as UTF-8 with the five XML specials escaped; characters XML 1.0 forbids become spaces. */
    TextOut xml(String s) throws IOException {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> sb.append(xmlAllowed(s, i) ? c : ' ');
            }
        }
        return bytes(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean xmlAllowed(String s, int i) {
        char c = s.charAt(i);
        if (c < 0x20) {
            return c == '\t' || c == '\n' || c == '\r';
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
        }
        return c != 0xFFFE && c != 0xFFFF;
    }

    TextOut integer(long v) throws IOException {
        ensure(20);
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return ascii(Long.toString(v));
            }
            buf[n++] = '-';
            v = -v;
        }
        int digits = 1;
        while (digits < 19 && v >= POW10[digits]) {
            digits++;
        }
        for (int i = n + digits - 1; i >= n; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        n += digits;
        return this;
    }

    /**
     * A float in plain decimal with the fewest of 7, 8 or 9 significant digits that reads back as
     * the very same float (9 always do: float has 24 bits), trailing zeros dropped. Magnitudes
     * outside [1e-4, 1e8), which millimetre coordinates hardly reach, take Float.toString's form
     * (valid in OBJ and 3MF).
     */
    TextOut decimal(float f) throws IOException {
        if (!Float.isFinite(f)) {
            throw new IllegalArgumentException("not a finite number: " + f);
        }
        if (f == 0) {
            return ch('0');
        }
        double d = Math.abs((double) f);
        int e = decimalExponent(d);
        if (e < -4 || e >= 8) {
            return ascii(Float.toString(f));
        }
        int scale = FLOAT_DIGITS - 1 - e;
        long m = Math.round(d * POW10D[scale]);
        if (m < POW10[FLOAT_DIGITS - 1]) {
            // The exponent was one too high (d sits just under a power of ten).
            e--;
            scale++;
            m = Math.round(d * POW10D[scale]);
        }
        // Every decimal closer to f than half the smaller of its two gaps reads back as f. The
        // margin covers the one rounding of the quotient below, so the test is exact.
        double half = Math.ulp(Math.nextDown((float) d)) * 0.5 * (1 - 0x1p-20);
        for (int digits = FLOAT_DIGITS - 2; digits < FLOAT_DIGITS; digits++) {
            int s = digits - 1 - e;
            if (s >= 0) {
                long k = Math.round(d * POW10D[s]);
                if (Math.abs(k / POW10D[s] - d) < half) {
                    m = k;
                    scale = s;
                    break;
                }
            }
        }
        ensure(24);
        if (f < 0) {
            buf[n++] = '-';
        }
        long whole = m / POW10[scale];
        long frac = m % POW10[scale];
        integer(whole);
        if (frac != 0) {
            int digits = scale;
            while (frac % 10 == 0) {
                frac /= 10;
                digits--;
            }
            buf[n++] = '.';
            for (int i = n + digits - 1; i >= n; i--) {
                buf[i] = (byte) ('0' + frac % 10);
                frac /= 10;
            }
            n += digits;
        }
        return this;
    }

    /**
     * floor(log10(d)) for d > 0, from the binary exponent and one comparison. Being one too low
     * costs a digit; one too high is caught by {@link #decimal}.
     */
    private static int decimalExponent(double d) {
        int e = (int) Math.floor(Math.getExponent(d) * 0.30102999566398120);
        int up = e + 1;
        if (up >= 0 ? up < POW10D.length && d >= POW10D[up] : up >= -NEG_POW10.length + 1 && d >= NEG_POW10[-up]) {
            e = up;
        }
        return e;
    }

    private static final double[] NEG_POW10 = {1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6};
}
