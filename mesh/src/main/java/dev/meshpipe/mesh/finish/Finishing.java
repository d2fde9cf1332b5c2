package dev.meshpipe.mesh.finish;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The finishing stages after marching cubes, in this order: smoothing (volume kept), cleanup
 * (largest component, small components dropped, cavities filled), decimation; then the accuracy
 * figures of the result against the raw surface. Presets name common combinations; the explicit
 * job parameters override a preset's values one by one.
 *
 * <p>The default preset is {@code raw}: exactly today's marching-cubes surface (VTK's vertices),
 * which is what the parity tests check and what a user who asks for an isosurface of their data
 * gets from every other tool before they choose to finish it. {@code smooth}, {@code print} and
 * {@code web} are one word away.
 */
public final class Finishing {
    public static final String RAW = "raw";
    public static final String SMOOTH = "smooth";
    public static final String PRINT = "print";
    public static final String WEB = "web";
    public static final List<String> PRESETS = List.of(RAW, SMOOTH, PRINT, WEB);
    public static final String DEFAULT_PRESET = RAW;
    /** Slicer's default smoothing factor: 20 iterations, passband 0.01. */
    public static final double DEFAULT_SMOOTHING_FACTOR = 0.5;
    public static final double PRINT_MAX_ERROR_MM = 0.1;
    public static final long WEB_MAX_TRIANGLES = 200_000;

    private Finishing() {}

    /**
     * @param smoothingIterations   0 for no smoothing
     * @param smoothingFactor       Slicer's factor when the smoothing was given as one, for reports
     * @param decimateFraction      in (0, 1), 0 when unused
     * @param decimateTriangles     a triangle count, 0 when unused
     * @param maxErrorMm            the decimation's error bound, +Inf when unbounded
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Options(String preset, int smoothingIterations, double passBand, Double smoothingFactor,
                          boolean volumePreservation, boolean keepLargest, double minComponentVolumeMm3,
                          boolean fillCavities, double decimateFraction, long decimateTriangles,
                          @com.fasterxml.jackson.annotation.JsonIgnore double maxErrorMm) {

        /** The error bound for quality.json, null when unbounded (JSON has no infinity). */
        @com.fasterxml.jackson.annotation.JsonProperty("maxErrorMm")
        public Double maxErrorOrNull() {
            return Double.isFinite(maxErrorMm) ? maxErrorMm : null;
        }

        public boolean smoothing() {
            return smoothingIterations > 0;
        }

        public boolean decimation() {
            return decimateFraction > 0 || decimateTriangles > 0 || Double.isFinite(maxErrorMm);
        }

        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isRaw() {
            return !smoothing() && !keepLargest && minComponentVolumeMm3 <= 0 && !fillCavities && !decimation();
        }

        public static Options raw() {
            return preset(RAW);
        }

        public static Options preset(String name) {
            String p = name == null ? DEFAULT_PRESET : name.trim().toLowerCase(Locale.ROOT);
            int it = WindowedSincSmoother.SLICER_ITERATIONS;
            double pb = WindowedSincSmoother.passBandForFactor(DEFAULT_SMOOTHING_FACTOR);
            Double f = DEFAULT_SMOOTHING_FACTOR;
            double inf = Double.POSITIVE_INFINITY;
            return switch (p) {
                case RAW -> new Options(RAW, 0, 0, null, false, false, 0, false, 0, 0, inf);
                case SMOOTH -> new Options(SMOOTH, it, pb, f, true, false, 0, false, 0, 0, inf);
                case PRINT -> new Options(PRINT, it, pb, f, true, true, 0, true, 0, 0, PRINT_MAX_ERROR_MM);
                case WEB -> new Options(WEB, it, pb, f, true, false, 0, false, 0, WEB_MAX_TRIANGLES, inf);
                default -> throw new MeshException(MeshError.INVALID_PARAMETER,
                        "preset must be one of " + String.join(", ", PRESETS) + ", got '" + abbreviate(name) + "'");
            };
        }

        /**
         * This preset with explicit settings applied over it; null leaves the preset's value.
         *
         * @param smoothing    iterations (0: off), passband and Slicer's factor when given as one
         * @param decimation   a fraction or a triangle count; {@link Decimation#OFF} turns the
         *                     stage off, the preset's error bound included
         * @param maxErrorMm   the decimation's error bound in mm
         */
        public Options with(Smoothing smoothing, Decimation decimation, Double maxErrorMm, Boolean keepLargest,
                            Boolean fillCavities, Double minComponentVolumeMm3) {
            int it = smoothingIterations;
            double pb = passBand;
            Double f = smoothingFactor;
            if (smoothing != null) {
                it = smoothing.iterations();
                pb = smoothing.passBand();
                f = smoothing.factor();
            }
            double fraction = decimateFraction;
            long triangles = decimateTriangles;
            double maxError = this.maxErrorMm;
            if (decimation != null) {
                fraction = decimation.fraction();
                triangles = decimation.triangles();
                if (decimation.isOff()) {
                    maxError = Double.POSITIVE_INFINITY;
                }
            }
            if (maxErrorMm != null) {
                maxError = maxErrorMm;
            }
            return new Options(preset, it, pb, it == 0 ? null : f, it > 0,
                    keepLargest != null ? keepLargest : this.keepLargest,
                    minComponentVolumeMm3 != null ? minComponentVolumeMm3 : this.minComponentVolumeMm3,
                    fillCavities != null ? fillCavities : this.fillCavities,
                    fraction, triangles, maxError);
        }
    }

    /** Windowed-sinc smoothing settings; iterations 0 means none. */
    public record Smoothing(int iterations, double passBand, Double factor) {
        public static final Smoothing OFF = new Smoothing(0, 0, null);
    }

    /** A decimation target: a fraction in (0, 1) or a triangle count, both 0 for none. */
    public record Decimation(double fraction, long triangles) {
        public static final Decimation OFF = new Decimation(0, 0);

        public boolean isOff() {
            return fraction == 0 && triangles == 0;
        }
    }

    /** One stage's effect. Volumes are signed totals over all components (mm^3). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Stage(String name, long trianglesBefore, long trianglesAfter, double volumeBefore,
                        double volumeAfter, double volumeChangePercent, long ms, String detail) {}

    /**
     * The finishing section of quality.json.
     *
     * @param voxelVolume              inside samples times the voxel volume (mm^3), when known
     * @param hausdorffToRaw           finished surface against the raw marching-cubes surface (mm)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(Options options, List<Stage> stages, double rawVolume, double finishedVolume,
                         double volumeChangePercent, Double voxelVolume, Double rawVsVoxelPercent,
                         Double finishedVsVoxelPercent, SurfaceMetrics.Hausdorff hausdorffToRaw,
                         SurfaceMetrics.Report surface, long ms) {}

    public record Result(Mesh mesh, Report report) {}

    /**
     * Runs the stages the options ask for on a raw surface in world millimetres, then works out
     * the accuracy figures of the result: {@link #stages} followed by {@link #figures}.
     *
     * @param voxelVolume the volume the voxels give (see {@link SurfaceMetrics#voxelVolume}), or null
     */
    public static Result run(Mesh raw, Options options, Double voxelVolume, int threads) {
        Staged staged = stages(raw, options, threads);
        return new Result(staged.mesh(), figures(staged, voxelVolume, threads));
    }

    /**
     * The finished surface before its figures are known: what the writers and the preview need,
     * so a job can start them while {@link #figures} measures the same mesh.
     *
     * @param ms the stages' time, which the report's own time starts from
     */
    public record Staged(Mesh raw, Mesh mesh, Options options, List<Stage> stages, double rawVolume, double volume, long ms) {}

    /** The stages alone, in order: smoothing, cleanup, decimation. */
    public static Staged stages(Mesh raw, Options options, int threads) {
        long t0 = System.nanoTime();
        List<Stage> stages = new ArrayList<>();
        Mesh mesh = raw;
        double rawVolume = totalVolume(raw);
        double vol = rawVolume;
        if (options.smoothing()) {
            long s = System.nanoTime();
            Mesh smoothed = smooth(mesh, options, threads);
            double after = totalVolume(smoothed);
            stages.add(stage("smooth", mesh, smoothed, vol, after, s, options.smoothingIterations() + " iterations, passband "
                    + options.passBand() + (options.volumePreservation() ? ", volume kept" : "")));
            mesh = smoothed;
            vol = after;
        }
        if (options.keepLargest()) {
            long s = System.nanoTime();
            Components.Cleaned c = Components.keepLargest(mesh);
            double after = totalVolume(c.mesh());
            stages.add(stage("keepLargest", mesh, c.mesh(), vol, after, s, c.removed().components() + " components removed"));
            mesh = c.mesh();
            vol = after;
        }
        if (options.minComponentVolumeMm3() > 0) {
            long s = System.nanoTime();
            Components.Cleaned c = Components.dropSmallerThan(mesh, options.minComponentVolumeMm3());
            double after = totalVolume(c.mesh());
            stages.add(stage("dropSmall", mesh, c.mesh(), vol, after, s, c.removed().components() + " components under "
                    + options.minComponentVolumeMm3() + " mm^3 removed"));
            mesh = c.mesh();
            vol = after;
        }
        if (options.fillCavities()) {
            long s = System.nanoTime();
            Components.Cleaned c = Components.fillCavities(mesh, threads);
            double after = totalVolume(c.mesh());
            stages.add(stage("fillCavities", mesh, c.mesh(), vol, after, s, c.removed().components() + " components removed"));
            mesh = c.mesh();
            vol = after;
        }
        if (options.decimation() && !(options.decimateTriangles() > 0 && mesh.triangleCount() <= options.decimateTriangles())) {
            long s = System.nanoTime();
            QuadricDecimator.Result d = QuadricDecimator.decimate(mesh,
                    new QuadricDecimator.Options(options.decimateFraction(), options.decimateTriangles(), options.maxErrorMm()), threads);
            double after = totalVolume(d.mesh());
            stages.add(stage("decimate", mesh, d.mesh(), vol, after, s, d.collapses() + " collapses, " + d.refused()
                    + " refused, max error " + d.maxErrorMm() + " mm"));
            mesh = d.mesh();
            vol = after;
        }
        return new Staged(raw, mesh, options, stages, rawVolume, vol, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * The finishing report of staged surface: its distance to the raw surface and its figures.
     * The report's time is the stages' plus this call's own, whatever ran beside it.
     *
     * @param voxelVolume the volume the voxels give (see {@link SurfaceMetrics#voxelVolume}), or null
     */
    public static Report figures(Staged staged, Double voxelVolume, int threads) {
        long t0 = System.nanoTime();
        Mesh mesh = staged.mesh();
        Mesh raw = staged.raw();
        double rawVolume = staged.rawVolume();
        double vol = staged.volume();
        SurfaceMetrics.Hausdorff h = mesh == raw ? SurfaceMetrics.Hausdorff.ZERO : SurfaceMetrics.hausdorff(mesh, raw, threads);
        SurfaceMetrics.Report surface = SurfaceMetrics.of(mesh, true, threads);
        return new Report(staged.options(), staged.stages(), rawVolume, vol, percent(vol, rawVolume), voxelVolume,
                voxelVolume == null ? null : percent(rawVolume, voxelVolume),
                voxelVolume == null ? null : percent(vol, voxelVolume), h, surface,
                staged.ms() + (System.nanoTime() - t0) / 1_000_000);
    }

    /** The smoothing stage alone (with its volume correction when on), for benchmarks. */
    public static Mesh smooth(Mesh raw, Options options, int threads) {
        Adjacency adj = Adjacency.of(raw, threads);
        Mesh smoothed = WindowedSincSmoother.smooth(raw, adj, options.smoothingIterations(), options.passBand(), threads);
        return options.volumePreservation() ? VolumePreservation.restore(raw, smoothed, adj, threads) : smoothed;
    }

    private static Stage stage(String name, Mesh before, Mesh after, double volBefore, double volAfter, long startNs, String detail) {
        return new Stage(name, before.triangleCount(), after.triangleCount(), volBefore, volAfter,
                percent(volAfter, volBefore), (System.nanoTime() - startNs) / 1_000_000, detail);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** (a - b) / |b| in percent; 0 when both are 0. */
    static double percent(double a, double b) {
        if (b == 0) {
            return a == 0 ? 0 : Double.NaN;
        }
        return (a - b) / Math.abs(b) * 100;
    }

    static double totalVolume(Mesh m) {
        float[] p = m.positions();
        int[] t = m.triangles();
        double v = 0;
        for (int i = 0; i < t.length; i += 3) {
            v += SurfaceMetrics.signedTetra(p, t[i], t[i + 1], t[i + 2]);
        }
        return v;
    }
}
