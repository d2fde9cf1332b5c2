package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.io.SampleType;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a volume is a label map (meshed one surface per label) or an intensity image
 * (meshed at an isovalue), and says why, so a job never switches mode silently. The rule, with
 * the figures that chose its thresholds, is in docs/labels.md:
 * <ol>
 *   <li>the file stores integers (uint8 ... uint32), not floats, when its sample type is known;</li>
 *   <li>every sample is a whole number, 0 or more;</li>
 *   <li>3 to {@value #MAX_DISTINCT} distinct values, 0 included: two values are a mask, which the
 *       isosurface path already meshes as one surface (mode=labels still gives it as one structure);</li>
 *   <li>piecewise constant: of neighbouring voxel pairs along x with at least one non-zero, at
 *       least {@value #MIN_EQUAL_NEIGHBOURS} are equal. The mricron atlases score 0.57 to 0.91; the
 *       8-bit MRI templates, which pass rules 1 to 3, score 0.09 to 0.23.</li>
 * </ol>
 */
public final class LabelMaps {
    public static final int MAX_DISTINCT = 1000;
    public static final double MIN_EQUAL_NEIGHBOURS = 0.5;

    private LabelMaps() {}

    /**
     * @param labelMap        true when a job without a mode would mesh per label
     * @param mode            "labels" or "surface": the mode that would run
     * @param reason          one sentence for the job status, naming the rule that decided
     * @param distinctValues  distinct sample values counted, 0 included (counting stops past the limit)
     * @param equalNeighbours the piecewise-constant score, NaN when not reached
     */
    public record Recognition(boolean labelMap, String mode, String reason, int distinctValues, double equalNeighbours) {
        static Recognition surface(String reason, int distinct, double eq) {
            return new Recognition(false, "surface", reason, distinct, eq);
        }
    }

    public static Recognition looksLikeLabelMap(Volume v, SampleType type) {
        if (type == SampleType.FLOAT32 || type == SampleType.FLOAT64) {
            return Recognition.surface("float samples: treated as an image; say mode=labels to mesh one surface per label",
                    -1, Double.NaN);
        }
        float[] d = v.data();
        Set<Float> distinct = new HashSet<>();
        float last = Float.NaN;
        for (int i = 0; i < d.length; i++) {
            float f = d[i];
            if (f == last) {
                continue;
            }
            last = f;
            if (f != Math.rint(f) || f < 0 || f > Integer.MAX_VALUE) {
                return Recognition.surface(String.format(Locale.ROOT,
                        "sample %s is not a whole number from 0 up: an image, not a label map", f), distinct.size(), Double.NaN);
            }
            if (distinct.add(f) && distinct.size() > MAX_DISTINCT) {
                return Recognition.surface("more than " + MAX_DISTINCT + " distinct values: an image, not a label map",
                        distinct.size(), Double.NaN);
            }
        }
        int n = distinct.size();
        if (n < 3) {
            return Recognition.surface(n + " distinct value" + (n == 1 ? "" : "s")
                    + ": a mask, meshed as one surface; say mode=labels for one structure per label", n, Double.NaN);
        }
        double eq = equalNeighbours(v);
        if (eq < MIN_EQUAL_NEIGHBOURS) {
            return Recognition.surface(String.format(Locale.ROOT, "%d whole-number values, but only %.2f of neighbouring "
                    + "voxels are equal (label maps have at least %.2f): an image; say mode=labels to mesh per label",
                    n, eq, MIN_EQUAL_NEIGHBOURS), n, eq);
        }
        return new Recognition(true, "labels", String.format(Locale.ROOT, "%d whole-number values (%d labels besides 0), "
                + "%.2f of neighbouring voxels equal: a label map, meshed one surface per label; say mode=surface for an "
                + "isosurface", n, distinct.contains(0f) ? n - 1 : n, eq), n, eq);
    }

    /** Of neighbouring pairs along x with at least one non-zero sample, the share that are equal. */
    static double equalNeighbours(Volume v) {
        float[] d = v.data();
        int nx = v.nx();
        long pairs = 0;
        long equal = 0;
        for (int row = 0; row < d.length; row += nx) {
            for (int x = row; x < row + nx - 1; x++) {
                float a = d[x];
                float b = d[x + 1];
                if (a != 0 || b != 0) {
                    pairs++;
                    if (a == b) {
                        equal++;
                    }
                }
            }
        }
        return pairs == 0 ? 1 : equal / (double) pairs;
    }
}
