package dev.meshpipe.mesh.io.dicom;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Orders the slices of one series and places them: slices sorted by ImagePositionPatient projected
 * on the normal of ImageOrientationPatient, spacing from those positions (never SliceThickness),
 * LPS turned into RAS. Anything that a regular grid cannot represent is refused with its own code.
 */
final class SeriesGeometry {
    private SeriesGeometry() {}

    /** {@code early}, when not null, holds the volume's floats if they were allocated at the right size. */
    static Volume build(List<DicomFile> slices, VolumeLimits limits, String counts, EarlyVolume early) {
        DicomFile first = slices.get(0);
        DicomPixels.checkImage(first);
        if (slices.size() == 1) {
            throw new MeshException(MeshError.NOT_A_VOLUME, "the series holds a single 2-D image (" + first.rows + "x"
                    + first.columns + "); a volume needs several slices (" + counts + ")");
        }
        for (DicomFile f : slices) {
            DicomPixels.checkImage(f);
            if (f.rows != first.rows || f.columns != first.columns || f.bitsAllocated != first.bitsAllocated) {
                throw inconsistent("slices differ in size or sample type (" + first.name + " is " + first.rows + "x" + first.columns
                        + ", " + f.name + " is " + f.rows + "x" + f.columns + ")");
            }
            if (f.position == null || f.orientation == null) {
                throw new MeshException(MeshError.INVALID_VOLUME, f.name + " has no ImagePositionPatient or ImageOrientationPatient, "
                        + "so its slice cannot be placed");
            }
            if (f.pixelSpacing == null || !(f.pixelSpacing[0] > 0) || !(f.pixelSpacing[1] > 0)) {
                throw new MeshException(MeshError.INVALID_VOLUME, f.name + " has no valid PixelSpacing");
            }
            for (int i = 0; i < 6; i++) {
                if (Math.abs(f.orientation[i] - first.orientation[i]) > 1e-4) {
                    throw inconsistent("slices have different orientations (" + first.name + " and " + f.name + ")");
                }
            }
            if (Math.abs(f.pixelSpacing[0] - first.pixelSpacing[0]) > 1e-4 || Math.abs(f.pixelSpacing[1] - first.pixelSpacing[1]) > 1e-4) {
                throw inconsistent("slices have different pixel spacings (" + first.name + " and " + f.name + ")");
            }
        }
        double[] r = unit(first.orientation, 0, first.name);
        double[] c = unit(first.orientation, 3, first.name);
        if (Math.abs(dot(r, c)) > 1e-3) {
            throw new MeshException(MeshError.INVALID_VOLUME, first.name + ": ImageOrientationPatient's rows are not perpendicular");
        }
        double[] n = cross(r, c);
        List<DicomFile> sorted = new ArrayList<>(slices);
        sorted.sort(new Comparator<DicomFile>() { // a class, not a lambda: see Workers
            @Override
            public int compare(DicomFile a, DicomFile b) {
                return Double.compare(dot(a.position, n), dot(b.position, n));
            }
        });
        double dz = checkSpacing(sorted, n);
        checkTilt(sorted, n);

        int nx = first.columns;
        int ny = first.rows;
        int nz = sorted.size();
        long voxels = (long) nx * ny * nz;
        long limit = Math.min(limits.maxVoxels(), Integer.MAX_VALUE - 8);
        if (voxels > limit) {
            throw new MeshException(MeshError.VOLUME_TOO_LARGE, "volume of " + nx + "x" + ny + "x" + nz + " = " + voxels
                    + " voxels exceeds the limit of " + limit + " voxels");
        }
        float[] data = early == null ? null : early.take(voxels);
        if (data == null) {
            data = new float[(int) voxels];
        }
        decodeSlices(sorted, data, nx * ny);
        double[] spacing = {first.pixelSpacing[1], first.pixelSpacing[0], dz};
        double[] o = sorted.get(0).position;
        double[] m = new double[16];
        double[] lpsToRas = {-1, -1, 1};
        for (int row = 0; row < 3; row++) {
            m[4 * row] = lpsToRas[row] * r[row];
            m[4 * row + 1] = lpsToRas[row] * c[row];
            m[4 * row + 2] = lpsToRas[row] * n[row];
            m[4 * row + 3] = lpsToRas[row] * o[row];
        }
        m[15] = 1;
        // Built without String.format: Formatter's first use in a JVM loads locale data and regular
        // expressions, tens of milliseconds of a cold read that has nothing else to format.
        StringBuilder desc = new StringBuilder(160).append("DICOM ").append(first.modality == null ? "" : first.modality)
                .append(" series ").append(first.seriesNumber == null ? "?" : first.seriesNumber);
        if (first.seriesDescription != null && !first.seriesDescription.isEmpty()) {
            desc.append(" '").append(first.seriesDescription).append('\'');
        }
        desc.append(' ').append(first.pixelRepresentation == 1 ? "int" : "uint").append(first.bitsAllocated).append(' ')
                .append(nx).append('x').append(ny).append('x').append(nz).append(", spacing ").append(g4(spacing[0])).append('x')
                .append(g4(spacing[1])).append('x').append(g4(spacing[2])).append(" mm, ")
                .append(TransferSyntaxNames.describe(first.transferSyntax)).append(" (").append(counts).append(')');
        return new Volume(nx, ny, nz, data, spacing, m, true, Double.NaN, desc.toString());
    }

    /**
     * Decodes the slices in parallel, each worker taking every {@code workers}-th slice with one
     * buffer of its own for pixels read from files.
     */
    private static void decodeSlices(List<DicomFile> sorted, float[] data, int plane) {
        int nz = sorted.size();
        int workers = Workers.count(nz);
        try {
            new Workers(workers) {
                @Override
                void work(int w) {
                    DicomPixels.Scratch scratch = new DicomPixels.Scratch();
                    for (int k = w; k < nz && !failed(); k += workers) {
                        DicomFile f = sorted.get(k);
                        DicomPixels.decodeInto(f, data, k * plane, scratch);
                        f.pixelBuffer = null; // let the file's bytes go as soon as its slice is decoded
                        f.fragments = null;
                    }
                }
            }.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an interrupt; the reader of a directory unwraps it
        }
    }

    /** The mean gap between slices, after refusing duplicates, gaps and irregular spacing. */
    private static double checkSpacing(List<DicomFile> sorted, double[] n) {
        int count = sorted.size();
        double[] d = new double[count];
        for (int k = 0; k < count; k++) {
            d[k] = dot(sorted.get(k).position, n);
        }
        double minGap = Double.MAX_VALUE;
        double maxGap = 0;
        for (int k = 1; k < count; k++) {
            double g = d[k] - d[k - 1];
            if (g < 1e-3) {
                throw inconsistent("two slices lie at the same position (" + sorted.get(k - 1).name + " and " + sorted.get(k).name
                        + "): the series mixes several volumes (echoes, phases or repeats); split it first");
            }
            minGap = Math.min(minGap, g);
            maxGap = Math.max(maxGap, g);
        }
        if (maxGap - minGap > DicomSeries.SPACING_TOLERANCE * minGap) {
            int missing = 0;
            boolean multiples = true;
            for (int k = 1; k < count; k++) {
                double ratio = (d[k] - d[k - 1]) / minGap;
                long whole = Math.round(ratio);
                multiples &= Math.abs(ratio - whole) <= DicomSeries.SPACING_TOLERANCE * whole;
                missing += (int) Math.min(whole - 1, 1_000_000);
            }
            if (multiples) {
                throw new MeshException(MeshError.MISSING_SLICES, String.format(Locale.ROOT,
                        "the series has gaps: about %d slice%s missing between the %d present (spacing %.4g mm)",
                        missing, missing == 1 ? " is" : "s are", count, minGap));
            }
            throw new MeshException(MeshError.IRREGULAR_SLICE_SPACING, String.format(Locale.ROOT,
                    "slice spacing varies from %.4g to %.4g mm (more than %.0f%%); meshpipe does not resample irregular series",
                    minGap, maxGap, DicomSeries.SPACING_TOLERANCE * 100));
        }
        return (d[count - 1] - d[0]) / (count - 1);
    }

    /** Refuses slices stacked along a direction other than the normal (CT gantry tilt). */
    private static void checkTilt(List<DicomFile> sorted, double[] n) {
        double[] p0 = sorted.get(0).position;
        double[] pl = sorted.get(sorted.size() - 1).position;
        double[] v = {pl[0] - p0[0], pl[1] - p0[1], pl[2] - p0[2]};
        double along = dot(v, n);
        double[] perp = {v[0] - along * n[0], v[1] - along * n[1], v[2] - along * n[2]};
        double off = Math.sqrt(dot(perp, perp));
        if (off > 1e-3 * Math.abs(along) + 1e-2) {
            throw new MeshException(MeshError.GANTRY_TILT, String.format(Locale.ROOT,
                    "the slices are stacked %.2f degrees off their normal (gantry tilt); meshpipe does not resample tilted series",
                    Math.toDegrees(Math.atan2(off, Math.abs(along)))));
        }
    }

    /**
     * {@code String.format(Locale.ROOT, "%.4g", v)}: four significant digits, rounded half up from
     * the shortest decimal form as Formatter rounds. Spacings of 0.001 to 1000 mm are written here
     * without Formatter (see the description above); anything else goes through it.
     */
    static String g4(double v) {
        if (!(v >= 1e-3 && v < 999.95)) {
            return String.format(Locale.ROOT, "%.4g", v);
        }
        java.math.BigDecimal b = new java.math.BigDecimal(Double.toString(v)).round(new java.math.MathContext(4, java.math.RoundingMode.HALF_UP));
        return b.setScale(4 - (b.precision() - b.scale()), java.math.RoundingMode.UNNECESSARY).toPlainString();
    }

    private static double[] unit(double[] v, int at, String name) {
        double len = Math.sqrt(v[at] * v[at] + v[at + 1] * v[at + 1] + v[at + 2] * v[at + 2]);
        if (!(len > 1e-6)) {
            throw new MeshException(MeshError.INVALID_VOLUME, name + ": ImageOrientationPatient has a zero direction");
        }
        return new double[] {v[at] / len, v[at + 1] / len, v[at + 2] / len};
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static MeshException inconsistent(String why) {
        return new MeshException(MeshError.INCONSISTENT_SERIES, why);
    }
}
