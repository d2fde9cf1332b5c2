package dev.meshpipe.standalone;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshErrors;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.gpu.DeviceSelector;
import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.MeshOptions;
import dev.meshpipe.mesh.MeshResult;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.finish.Finishing;
import dev.meshpipe.mesh.io.VolumeReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mesh", mixinStandardHelpOptions = true,
        description = "Converts one volume to meshes without Kafka: INPUT is a .nii/.nii.gz file, a DICOM series (a folder, a .zip or one multi-slice .dcm) or a synthetic spec such as sphere:128:50.")
final class MeshCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INPUT")
    String input;

    @Option(names = "--iso", description = "isovalue: a number or 'auto' (Otsu); default 0 for synthetic volumes, auto for scans")
    String iso;

    @Option(names = "--borders", defaultValue = "closed", description = "closed (watertight) or open (default ${DEFAULT-VALUE})")
    String borders;

    @Option(names = "--formats", description = "mesh formats, comma-separated: stl, ply, obj, glb, 3mf (default stl,ply,obj,glb; "
            + "for a label map stl,glb,3mf)")
    String formats;

    @Option(names = "--out", defaultValue = "./meshpipe-out/mesh", description = "output directory (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--threads", description = "CPU threads for extraction (default: all cores)")
    Integer threads;

    @Option(names = "--space", defaultValue = "ras",
            description = "ras (world millimetres through the file's orientation; 'world' is the same), lps (the same with x and y negated, as DICOM and ITK use) "
                    + "or grid (index times spacing, as VTK does); GLB stays in its own frame (default ${DEFAULT-VALUE})")
    String space;

    @Option(names = "--series", description = "DICOM input with several series: the SeriesInstanceUID or SeriesNumber to mesh")
    String series;

    @Option(names = "--raw", description = "read INPUT as a headerless little-endian array of this size, e.g. 256x256x128")
    String rawDims;

    @Option(names = "--raw-type", defaultValue = "float32", description = "sample type of a --raw input: uint8, int8, int16, uint16, int32, uint32, float32, float64 (default ${DEFAULT-VALUE})")
    String rawType;

    @Option(names = "--raw-spacing", description = "voxel size of a --raw input in mm, e.g. 0.5x0.5x1 (default 1x1x1)")
    String rawSpacing;

    @picocli.CommandLine.Mixin
    FinishingOptions finish = new FinishingOptions();

    @picocli.CommandLine.Mixin
    LabelMapOptions labelMap = new LabelMapOptions();

    @Option(names = "--json", description = "print one JSON object with the figures")
    boolean json;

    @Option(names = "--repeat", defaultValue = "1", description = "extract this many times after a warm-up and report the median (default ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--warmup", defaultValue = "5", description = "with --repeat: extractions before the timed ones, so the JIT has compiled the hot loops (default ${DEFAULT-VALUE})")
    int warmup;

    @Override
    public Integer call() {
        try {
            JobParams params = labelMap.applyTo(finish.applyTo(new JobParams(iso, JobParams.parseBorders(borders),
                    formats == null ? null : JobParams.parseFormats(formats), null).withSpaceAndSeries(null, series))).validated();
            if (repeat < 1) {
                throw new MeshpipeException(dev.meshpipe.common.ErrorCode.INVALID_PARAMETER, "--repeat must be at least 1");
            }
            if (warmup < 0) {
                throw new MeshpipeException(dev.meshpipe.common.ErrorCode.INVALID_PARAMETER, "--warmup must be 0 or more");
            }
            long t0 = System.nanoTime();
            CoordinateSpace frame = parseSpace(space);
            VolumeLimits limits = MeshpipeConfig.readerLimits(MeshpipeConfig.environment());
            Volume volume = readInput(params.series(), limits);
            if (frame == CoordinateSpace.GRID) {
                volume = volume.inGridSpace();
            }
            long readMs = (System.nanoTime() - t0) / 1_000_000;
            int cpus = threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors();
            MeshJob.Extractor extractor = DeviceSelector.select(device, cpus);
            Files.createDirectories(out);
            MeshOptions options = params.toMeshOptions().withSpace(frame).withName(surfaceName()).withThreads(cpus);
            MeshResult result = MeshJob.run(volume, options, extractor, MeshJob.directory(out), MeshJob.Progress.NONE);
            if (result.labels() != null) {
                printLabels(result, readMs);
                return 0;
            }
            Long extractMs = result.timingsMs().get("extractMs");
            if (repeat > 1) {
                extractMs = medianExtractMs(volume, result.quality().isovalue(), options.closedBorders(), extractor);
            }
            Long smoothMs = null;
            if (repeat > 1 && options.finishing().smoothing()) {
                smoothMs = medianSmoothMs(volume, result.quality().isovalue(), options.closedBorders(), extractor, options.finishing(), cpus);
            }
            print(result, readMs, extractMs, smoothMs);
            return 0;
        } catch (MeshpipeException e) {
            return refused(e);
        } catch (MeshException e) {
            return refused(MeshErrors.toPipeline(e));
        } catch (IOException e) {
            System.err.println("meshpipe: " + input + ": cannot read or write: " + e.getMessage());
            return 2;
        }
    }

    private int refused(MeshpipeException e) {
        System.err.println("meshpipe: " + input + ": " + e.getMessage() + " [" + e.code() + "]");
        return 2;
    }

    /** The job parameter's ras and lps, plus this command's own grid and its old name for ras, world. */
    private static CoordinateSpace parseSpace(String s) {
        String v = s.trim();
        if (v.equalsIgnoreCase("grid")) {
            return CoordinateSpace.GRID;
        }
        if (v.equalsIgnoreCase("world")) {
            return CoordinateSpace.RAS;
        }
        try {
            return JobParams.parseSpace(v);
        } catch (MeshpipeException e) {
            throw new MeshpipeException(dev.meshpipe.common.ErrorCode.INVALID_PARAMETER, "--space must be ras, lps or grid, got '" + s + "'");
        }
    }

    /** The 3MF object's name: the input file's name without its extensions, or the synthetic spec. */
    private String surfaceName() {
        if (rawDims == null && dev.meshpipe.mesh.io.SyntheticVolumes.isSpec(input)) {
            return input;
        }
        Path file = Path.of(input).getFileName();
        String n = file == null ? input : file.toString();
        return n.replaceFirst("(?i)(\\.nii)?(\\.gz)?$", "").replaceFirst("(?i)\\.(nrrd|nhdr|raw)$", "");
    }

    private Volume readInput(String seriesWanted, VolumeLimits limits) throws IOException {
        if (rawDims == null) {
            return readVolume(input, seriesWanted, limits);
        }
        VolumeReader.RawLayout layout = VolumeReader.RawLayout.parse(rawDims, rawType, rawSpacing);
        Path p = Path.of(input);
        if (!Files.isRegularFile(p)) {
            throw new MeshpipeException(dev.meshpipe.common.ErrorCode.INPUT_NOT_FOUND, "no such file");
        }
        try (var in = Files.newInputStream(p)) {
            return VolumeReader.readRaw(in, layout, limits);
        }
    }

    /** A folder is read as DICOM files; a file by its content (NIfTI, NRRD, DICOM or a ZIP of DICOM). */
    static Volume readVolume(String input, String seriesWanted, VolumeLimits limits) throws IOException {
        if (!dev.meshpipe.mesh.io.SyntheticVolumes.isSpec(input)) {
            Path p = Path.of(input);
            if (Files.isDirectory(p)) {
                return dev.meshpipe.mesh.io.dicom.DicomSeries.readDirectory(p, limits, seriesWanted);
            }
            if (Files.isRegularFile(p)) {
                try (var in = new java.io.BufferedInputStream(Files.newInputStream(p), 1 << 16)) {
                    return VolumeReader.read(in, limits, seriesWanted);
                }
            }
        }
        return VolumeReader.read(input, limits);
    }

    private long medianExtractMs(Volume volume, double isoValue, boolean closed, MeshJob.Extractor extractor) {
        for (int i = 0; i < warmup; i++) {
            extractor.extract(volume, isoValue, closed);
        }
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            long t = System.nanoTime();
            extractor.extract(volume, isoValue, closed);
            times.add((System.nanoTime() - t) / 1_000_000);
        }
        Collections.sort(times);
        return times.get(times.size() / 2);
    }

    /**
     * The median time of the smoothing stage alone (adjacency, windowed sinc and, when on, the
     * volume correction), for comparison with VTK's filter (tools/bench_finish.sh).
     */
    private long medianSmoothMs(Volume volume, double isoValue, boolean closed, MeshJob.Extractor extractor,
                                Finishing.Options finishing, int cpus) {
        dev.meshpipe.mesh.Mesh raw = extractor.extract(volume, isoValue, closed).mesh().transformed(volume.gridToWorld());
        Finishing.Options smoothOnly = new Finishing.Options("bench", finishing.smoothingIterations(), finishing.passBand(),
                finishing.smoothingFactor(), finishing.volumePreservation(), false, 0, false, 0, 0, Double.POSITIVE_INFINITY);
        for (int i = 0; i < warmup; i++) {
            Finishing.smooth(raw, smoothOnly, cpus);
        }
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            long t = System.nanoTime();
            Finishing.smooth(raw, smoothOnly, cpus);
            times.add((System.nanoTime() - t) / 1_000_000);
        }
        Collections.sort(times);
        return times.get(times.size() / 2);
    }

    /** A label map's figures: per structure in quality.json, totals here. */
    private void printLabels(MeshResult r, long readMs) {
        dev.meshpipe.mesh.labels.LabelJob.Quality q = r.labels();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("input", input);
            o.put("mode", q.mode());
            o.put("modeReason", q.modeReason());
            o.put("structures", q.totals().structures());
            o.put("vertices", r.vertices());
            o.put("triangles", r.triangles());
            o.put("watertight", r.watertight());
            o.put("totals", q.totals());
            Map<String, Object> timings = new LinkedHashMap<>(q.timingsMs());
            timings.put("readMs", readMs);
            o.put("timings", timings);
            o.put("out", out.toAbsolutePath().toString());
            o.put("files", r.files());
            System.out.println(Json.string(o));
            return;
        }
        System.out.printf(Locale.ROOT, "%s: label map, %d structures, %,d triangles, %s (%s)%n", input, q.totals().structures(),
                r.triangles(), r.watertight() ? "all watertight" : "not all watertight", q.modeReason());
        System.out.printf(Locale.ROOT, "wrote %d files to %s (per structure: quality.json)%n", r.files().size(), out.toAbsolutePath());
    }

    private void print(MeshResult r, long readMs, long extractMs, Long smoothMs) {
        MeshJob.Quality q = r.quality();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("input", input);
            o.put("vertices", q.vertices());
            o.put("triangles", q.triangles());
            o.put("isovalue", q.isovalue());
            o.put("isovalueSource", q.isovalueSource());
            o.put("borders", q.borders());
            o.put("surfaceArea", q.surfaceArea());
            o.put("enclosedVolume", q.enclosedVolume());
            o.put("watertight", q.watertight());
            o.put("boundaryEdges", q.boundaryEdges());
            o.put("nonManifoldEdges", q.nonManifoldEdges());
            o.put("degenerateTriangles", q.degenerateTriangles());
            o.put("connectedComponents", q.connectedComponents());
            o.put("eulerCharacteristic", q.eulerCharacteristic());
            o.put("device", q.device());
            o.put("space", q.space());
            o.put("finishing", q.finishing());
            Map<String, Object> timings = new LinkedHashMap<>(q.timingsMs());
            timings.put("readMs", readMs);
            timings.put("extractMs", extractMs);
            timings.put("extractRepeats", repeat);
            if (smoothMs != null) {
                timings.put("smoothMs", smoothMs);
            }
            o.put("timings", timings);
            o.put("out", out.toAbsolutePath().toString());
            o.put("files", r.files());
            System.out.println(Json.string(o));
            return;
        }
        System.out.printf(Locale.ROOT, "%s: %,d vertices, %,d triangles at iso %s (%s), %s%n", input, q.vertices(), q.triangles(),
                q.isovalue(), q.isovalueSource(), q.watertight() ? "watertight" : q.boundaryEdges() + " open edges");
        System.out.printf(Locale.ROOT, "area %.1f mm2%s; read %d ms, extract %d ms on %s%n", q.surfaceArea(),
                q.enclosedVolume() == null ? "" : String.format(Locale.ROOT, ", volume %.1f mm3", q.enclosedVolume()),
                readMs, extractMs, q.device());
        Finishing.Report f = q.finishing();
        if (f != null && !f.options().isRaw()) {
            System.out.printf(Locale.ROOT, "finished (%s): volume %+.2f%% against raw, Hausdorff to raw p95 %.3f mm, max %.3f mm; %s, %s%n",
                    f.options().preset(), f.volumeChangePercent(), f.hausdorffToRaw().p95(), f.hausdorffToRaw().max(),
                    f.surface().watertight() ? "watertight" : "not watertight", f.surface().manifold() ? "manifold" : "not manifold");
        }
        System.out.println("wrote " + String.join(", ", r.files()) + " to " + out.toAbsolutePath());
    }
}
