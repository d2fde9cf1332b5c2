package dev.meshpipe.mesh;

import java.util.Arrays;
import java.util.Locale;

/**
 * The automatic isovalue. On a scan (many distinct values) it is Otsu's threshold. On a mask or
 * label map (at most {@link #MAX_DISTINCT} distinct values) Otsu still picks which two classes to
 * separate, but its bin centre lies just above the lower value (0.39 for a 0/200 mask), and
 * marching cubes places the surface where the interpolated value crosses the isovalue, so that
 * surface would bulge almost a voxel outward. Any isovalue strictly between two adjacent values
 * classifies the voxels alike; the midpoint between them puts the surface halfway between
 * inside and outside voxel centres, where a mask's boundary is.
 */
public final class AutoIso {
    /** Masks and label maps have a handful of values; any scan has far more than this. */
    public static final int MAX_DISTINCT = 16;

    private AutoIso() {}

    /** An isovalue and how it was found, for quality.json's {@code isovalueSource}. */
    public record Choice(double iso, String source) {}

    public static Choice choose(float[] data) {
        double otsu = Otsu.threshold(data);
        float[] values = distinctValues(data);
        if (values == null) {
            return new Choice(otsu, "Otsu");
        }
        // Otsu's classes are "at or below the threshold" and "above it".
        int upper = 0;
        while (upper < values.length && values[upper] <= otsu) {
            upper++;
        }
        if (upper == 0 || upper == values.length) {
            return new Choice(otsu, "Otsu");
        }
        double lo = values[upper - 1];
        double hi = values[upper];
        double mid = (lo + hi) / 2;
        if (values.length == 2) {
            return new Choice(mid, "midpoint of a two-valued mask");
        }
        return new Choice(mid, String.format(Locale.ROOT, "midpoint between %s and %s, the values Otsu separates in a %d-valued volume",
                num(lo), num(hi), values.length));
    }

    /** The sorted distinct finite values, or null when there are more than {@link #MAX_DISTINCT}. */
    static float[] distinctValues(float[] data) {
        float[] seen = new float[MAX_DISTINCT];
        int n = 0;
        float last = Float.NaN;
        outer:
        for (float v : data) {
            // Masks are long runs of one value: skip the search when the value repeats.
            if (v == last || !Float.isFinite(v)) {
                continue;
            }
            last = v;
            for (int i = 0; i < n; i++) {
                if (seen[i] == v) {
                    continue outer;
                }
            }
            if (n == MAX_DISTINCT) {
                return null;
            }
            seen[n++] = v;
        }
        float[] values = Arrays.copyOf(seen, n);
        Arrays.sort(values);
        return values;
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.6g", v);
    }
}
