package dev.meshpipe.mesh;

/**
 * Otsu's threshold over all finite voxels, computed the way scikit-image's
 * {@code threshold_otsu} does on a float32 image (256 bins spanning min..max, float32 bin edges
 * and centres, the threshold being a bin centre), so {@code --iso auto} agrees with the peers.
 */
public final class Otsu {
    public static final int BINS = 256;

    private Otsu() {}

    public static double threshold(float[] data) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : data) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) {
            throw new dev.meshpipe.mesh.MeshException(dev.meshpipe.mesh.MeshError.INVALID_VOLUME,
                    "the volume has no finite values, so no automatic isovalue exists");
        }
        if (lo == hi) {
            return lo;
        }
        float[] edges = new float[BINS + 1];
        double step = ((double) hi - lo) / BINS;
        for (int i = 0; i <= BINS; i++) {
            edges[i] = (float) (i * step + lo);
        }
        edges[BINS] = hi;
        float denom = hi - lo;
        long[] counts = new long[BINS];
        for (float v : data) {
            if (!Float.isFinite(v)) {
                continue;
            }
            float f = ((v - lo) / denom) * BINS;
            int idx = (int) f;
            if (idx == BINS) {
                idx--;
            }
            if (v < edges[idx]) {
                idx--;
            }
            if (idx != BINS - 1 && v >= edges[idx + 1]) {
                idx++;
            }
            counts[idx]++;
        }
        float[] centres = new float[BINS];
        for (int i = 0; i < BINS; i++) {
            centres[i] = (edges[i] + edges[i + 1]) / 2f;
        }
        double[] w1 = new double[BINS];
        double[] m1 = new double[BINS];
        double cw = 0;
        double cm = 0;
        for (int i = 0; i < BINS; i++) {
            cw += counts[i];
            cm += counts[i] * (double) centres[i];
            w1[i] = cw;
            m1[i] = cm / cw;
        }
        double[] w2 = new double[BINS];
        double[] m2 = new double[BINS];
        cw = 0;
        cm = 0;
        for (int i = BINS - 1; i >= 0; i--) {
            cw += counts[i];
            cm += counts[i] * (double) centres[i];
            w2[i] = cw;
            m2[i] = cm / cw;
        }
        int best = 0;
        double bestVar = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < BINS - 1; i++) {
            double d = m1[i] - m2[i + 1];
            double var = w1[i] * w2[i + 1] * d * d;
            // NaN (an empty side) never wins, as in numpy's argmax over finite values.
            if (var > bestVar) {
                bestVar = var;
                best = i;
            }
        }
        return centres[best];
    }
}
