package dev.meshpipe.mesh;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.mesh.finish.Finishing;
import dev.meshpipe.mesh.finish.Parallel;
import dev.meshpipe.mesh.finish.SurfaceMetrics;
import dev.meshpipe.mesh.labels.LabelDecimation;
import dev.meshpipe.mesh.labels.LabelJob;
import dev.meshpipe.mesh.labels.LabelMaps;
import dev.meshpipe.mesh.labels.LabelSmoothing;
import dev.meshpipe.mesh.mc.MarchingCubes;
import dev.meshpipe.mesh.out.MeshJson;
import dev.meshpipe.mesh.out.MeshWriters;
import dev.meshpipe.mesh.out.PreviewRenderer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * One volume to one set of outputs: isovalue, extraction, world placement, finishing, quality, mesh
 * files, quality.json and preview.png. The processor and the {@code mesh} CLI command both run
 * this, and so can any Java program (README.md).
 */
public final class MeshJob {

    public static final String QUALITY_FILE = "quality.json";
    public static final String PREVIEW_FILE = "preview.png";

    /** Where output files go: the processor writes to the object store, the CLI to a directory. */
    @FunctionalInterface
    public interface OutputSink {
        OutputStream create(String fileName) throws IOException;
    }

    /** Progress as percent of the whole job and the stage name. */
    @FunctionalInterface
    public interface Progress {
        void report(int percent, String stage);

        Progress NONE = (p, s) -> {};
    }

    /** Extracts the mesh; the processor swaps in the GPU here. */
    @FunctionalInterface
    public interface Extractor {
        Extraction extract(Volume volume, double iso, boolean closedBorders);
    }

    /** A mesh in grid space and the device that made it (for quality.json and the job status). */
    public record Extraction(Mesh mesh, String device) {}

    public static Extractor cpu(int threads) {
        return (v, iso, closed) -> new Extraction(MarchingCubes.extract(v, iso, closed, threads), "cpu");
    }

    /** The content of quality.json. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Quality(
            long vertices, long triangles, double isovalue, String isovalueSource, String borders,
            double surfaceArea, Double enclosedVolume, Map<String, double[]> boundingBox,
            boolean watertight, long boundaryEdges, long nonManifoldEdges, long degenerateTriangles,
            long connectedComponents, long eulerCharacteristic, String device, String input,
            int[] dimensions, double[] spacing, String units, Map<String, Long> timingsMs, String space,
            Finishing.Report finishing, String mode, String modeReason) {}

    /** An isovalue and where it came from, as quality.json says ("given", "default", "auto (Otsu)"). */
    public record IsoChoice(double value, String source) {}

    private MeshJob() {}

    /** The isovalue the options ask for on this volume. */
    public static IsoChoice chooseIso(Volume volume, Iso iso) {
        if (iso instanceof Iso.Value v) {
            return new IsoChoice(v.value(), "given");
        }
        if (iso instanceof Iso.Auto) {
            return auto(volume, "");
        }
        return Double.isNaN(volume.defaultIso())
                ? auto(volume, ", the default for volume files")
                : new IsoChoice(volume.defaultIso(), "default");
    }

    private static IsoChoice auto(Volume volume, String why) {
        AutoIso.Choice c = AutoIso.choose(volume.data());
        return new IsoChoice(c.iso(), "auto (" + c.source() + why + ")");
    }

    /**
     * Refuses an isovalue with no sample on one side of it: the surface would be empty, or with
     * closed borders only the box around the grid, which is never what was meant.
     */
    public static void requireSurface(Volume volume, double iso) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : volume.data()) {
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        if (lo > hi) { // every sample is NaN
            throw new MeshException(MeshError.INVALID_VOLUME, "the volume has no finite values, so it has no surface");
        }
        if (!(lo < iso && iso <= hi)) {
            throw new MeshException(MeshError.INVALID_PARAMETER, lo == hi
                    ? "every sample of the volume is " + lo + ", so there is no surface at any isovalue"
                    : "isovalue " + iso + " is outside the data's range (" + lo + " to " + hi
                            + "): no sample lies on one side of it, so there is no surface");
        }
    }

    /**
     * Meshes a volume on the CPU into files in a directory (created if missing): the library's
     * whole use in one call.
     */
    public static MeshResult run(Volume volume, MeshOptions options, java.nio.file.Path dir) throws IOException {
        return run(volume, options, cpu(options.threadCount()), directory(dir), Progress.NONE);
    }

    /** Files in a directory (created if missing), label mode's {@code labels/} subfolder included. */
    public static OutputSink directory(java.nio.file.Path dir) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        return name -> {
            java.nio.file.Path file = dir.resolve(name).normalize();
            if (!file.startsWith(dir.normalize())) {
                throw new IOException("output name leaves the directory: " + name);
            }
            java.nio.file.Files.createDirectories(file.getParent());
            return java.nio.file.Files.newOutputStream(file);
        };
    }

    /** The mode that runs on this volume and why, as quality.json says. */
    public record ModeChoice(MeshOptions.Mode mode, String reason) {}

    /** Label mode when asked for, or when auto and {@link LabelMaps#looksLikeLabelMap} recognises a label map. */
    public static ModeChoice chooseMode(Volume volume, MeshOptions.Mode mode) {
        return switch (mode) {
            case LABELS -> new ModeChoice(MeshOptions.Mode.LABELS, "mode=labels was asked for");
            case SURFACE -> new ModeChoice(MeshOptions.Mode.SURFACE, "mode=surface was asked for");
            case AUTO -> {
                LabelMaps.Recognition r = LabelMaps.looksLikeLabelMap(volume, null);
                yield new ModeChoice(r.labelMap() ? MeshOptions.Mode.LABELS : MeshOptions.Mode.SURFACE, r.reason());
            }
        };
    }

    /**
     * Meshes a volume as the options say: an isosurface, or one surface per label (by
     * {@link LabelJob}) when the mode is labels or auto finds a label map.
     */
    public static MeshResult run(Volume volume, MeshOptions options, Extractor extractor, OutputSink sink, Progress progress)
            throws IOException {
        progress.report(2, "choosing the mode");
        ModeChoice mode = chooseMode(volume, options.labels().mode());
        if (mode.mode() == MeshOptions.Mode.LABELS) {
            return runLabels(volume, options, sink, progress, mode.reason());
        }
        return runSurface(volume, options, extractor, sink, progress, mode.reason());
    }

    private static MeshResult runLabels(Volume volume, MeshOptions options, OutputSink sink, Progress progress, String reason)
            throws IOException {
        progress.report(10, "meshing labels");
        MeshOptions.Labels labels = options.labels();
        Finishing.Options f = options.finishing();
        // The volume correction is what keeps each structure within 1% of its voxel volume, so label mode always applies it.
        LabelSmoothing.Options smoothing = f.smoothing() ? new LabelSmoothing.Options(f.smoothingIterations(), f.passBand(), true) : null;
        LabelJob.LabelOptions lo = new LabelJob.LabelOptions(labels.selection(), smoothing, labels.formats(), options.space(),
                smoothing != null, options.threadCount(), LabelDecimation.Options.of(f), f.fillCavities());
        List<String> files = new ArrayList<>();
        OutputSink recording = name -> {
            files.add(name);
            return sink.create(name);
        };
        LabelJob.Quality q = LabelJob.run(volume, lo, labels.colours(), recording, reason);
        progress.report(100, "meshed " + q.totals().structures() + " structures");
        return new MeshResult(null, files, q);
    }

    private static MeshResult runSurface(Volume volume, MeshOptions options, Extractor extractor, OutputSink sink, Progress progress,
                                         String modeReason) throws IOException {
        Map<String, Long> timings = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        progress.report(5, "isovalue");
        IsoChoice iso = chooseIso(volume, options.iso());
        requireSurface(volume, iso.value());
        long t1 = System.nanoTime();
        timings.put("isovalueMs", ms(t0, t1));
        progress.report(10, "extracting");
        Extraction extraction = extractor.extract(volume, iso.value(), options.closedBorders());
        long t2 = System.nanoTime();
        timings.put("extractMs", ms(t1, t2));
        CoordinateSpace space = options.space();
        Mesh mesh = extraction.mesh().transformed(space == CoordinateSpace.GRID ? Volume.identity() : volume.gridToWorld());
        Finishing.Options finishingOptions = options.finishing();
        if (!finishingOptions.isRaw()) {
            progress.report(40, "finishing (" + finishingOptions.preset() + ")");
        }
        Finishing.Staged staged = Finishing.stages(mesh, finishingOptions, options.threadCount());
        mesh = staged.mesh();
        long t3 = System.nanoTime();
        Mesh inSpace = space == CoordinateSpace.LPS ? mesh.swapRasLps() : mesh;
        // From here the finished mesh is only read: its figures, its quality, its files and its
        // preview do not depend on each other, so the figures (the Hausdorff distance to the raw
        // surface, on the job's threads) and the quality and preview (one thread each) run beside
        // the writers, which keep this thread. Only this thread opens outputs, in the order they
        // always had, so a sink need not be thread-safe and lists the same files in the same order.
        progress.report(60, "measuring, writing and rendering");
        Mesh finishedMesh = mesh;
        Future<Timed<Finishing.Report>> figures = Parallel.start("meshpipe-figures", () -> Timed.of(() ->
                Finishing.figures(staged, SurfaceMetrics.voxelVolume(volume, iso.value()), options.threadCount())));
        Future<Timed<MeshQuality>> measured = Parallel.start("meshpipe-quality", () -> Timed.of(() -> MeshQuality.of(finishedMesh)));
        Future<Timed<byte[]>> preview = Parallel.start("meshpipe-preview", () -> Timed.of(() -> previewPng(finishedMesh)));
        List<String> files = new ArrayList<>();
        long writeMs;
        Timed<byte[]> png;
        Timed<MeshQuality> q;
        Timed<Finishing.Report> report;
        boolean done = false;
        try {
            List<MeshFormat> formats = options.formats();
            int step = 25 / Math.max(1, formats.size());
            int pct = 65;
            long writing = System.nanoTime();
            for (MeshFormat f : formats) {
                progress.report(pct, "writing " + f.fileName());
                try (OutputStream out = sink.create(f.fileName())) {
                    if (f == MeshFormat.GLB) {
                        MeshWriters.write(f, mesh, out);
                    } else {
                        MeshWriters.write(f, inSpace, options.name(), space, out, options.threadCount());
                    }
                }
                files.add(f.fileName());
                pct += step;
            }
            writeMs = ms(writing, System.nanoTime());
            progress.report(90, "rendering preview");
            png = Parallel.result(preview);
            try (OutputStream out = sink.create(PREVIEW_FILE)) {
                out.write(png.value());
            }
            files.add(PREVIEW_FILE);
            q = Parallel.result(measured);
            report = Parallel.result(figures);
            done = true;
        } finally {
            if (!done) {
                // A failed write (or step) ends the job: the figures, the longest of the steps
                // beside it, stop at their next wait on the pool instead of holding the job's
                // cores after it; the quality and preview are short and run out.
                figures.cancel(true);
                measured.cancel(true);
                preview.cancel(true);
            }
        }
        long t5 = System.nanoTime();
        // Each stage's own time; the last four overlap, so they add up to more than totalMs.
        timings.put("finishMs", ms(t2, t3) + report.ms());
        timings.put("qualityMs", q.ms());
        timings.put("writeMs", writeMs);
        timings.put("previewMs", png.ms());
        timings.put("totalMs", ms(t0, t5));
        Finishing.Result finished = new Finishing.Result(mesh, report.value());
        Quality quality = quality(q.value(), iso, options, space, extraction, volume, timings, finished, modeReason);
        try (OutputStream out = sink.create(QUALITY_FILE)) {
            out.write(MeshJson.pretty(quality).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        files.add(QUALITY_FILE);
        progress.report(100, "meshed");
        return new MeshResult(quality, files);
    }

    private static Quality quality(MeshQuality q, IsoChoice iso, MeshOptions options, CoordinateSpace space, Extraction extraction,
                                   Volume volume, Map<String, Long> timings, Finishing.Result finished, String modeReason) {
        return new Quality(q.vertices(), q.triangles(), iso.value(), iso.source(),
                options.borders().json(), q.surfaceArea(), q.enclosedVolume(), boundingBox(q, space), q.watertight(),
                q.boundaryEdges(), q.nonManifoldEdges(), q.degenerateTriangles(), q.connectedComponents(),
                q.eulerCharacteristic(), extraction.device(), volume.description(),
                new int[] {volume.nx(), volume.ny(), volume.nz()}, volume.spacing(), "mm", timings, space.json(), finished.report(),
                MeshOptions.Mode.SURFACE.json(), modeReason);
    }

    /**
     * The preview as PNG bytes, drawn on one thread: it runs beside the figures, which keep the
     * job's threads busy, so drawing it in bands would only add work (the picture is the same).
     */
    private static byte[] previewPng(Mesh mesh) throws IOException {
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream(1 << 18);
        PreviewRenderer.writePng(mesh, png, 1);
        return png.toByteArray();
    }

    /** A stage's result and its own time, for stages that run beside others. */
    private record Timed<T>(T value, long ms) {
        interface Work<T> {
            T run() throws IOException;
        }

        static <T> Timed<T> of(Work<T> work) throws IOException {
            long start = System.nanoTime();
            T value = work.run();
            return new Timed<>(value, MeshJob.ms(start, System.nanoTime()));
        }
    }

    /** The box in the frame of the mesh files: LPS negates x and y, so their bounds swap. */
    private static Map<String, double[]> boundingBox(MeshQuality q, CoordinateSpace space) {
        double[] min = q.boundingBoxMin();
        double[] max = q.boundingBoxMax();
        if (space == CoordinateSpace.LPS) {
            double[] lo = {-max[0], -max[1], min[2]};
            max = new double[] {-min[0], -min[1], max[2]};
            min = lo;
        }
        Map<String, double[]> bbox = new LinkedHashMap<>();
        bbox.put("min", min);
        bbox.put("max", max);
        return bbox;
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
