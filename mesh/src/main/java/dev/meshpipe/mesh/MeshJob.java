package dev.meshpipe.mesh;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.Borders;
import dev.meshpipe.common.events.CoordinateSpace;
import dev.meshpipe.common.events.MeshFormat;
import dev.meshpipe.mesh.finish.Finishing;
import dev.meshpipe.mesh.finish.SurfaceMetrics;
import dev.meshpipe.mesh.mc.MarchingCubes;
import dev.meshpipe.mesh.out.MeshWriters;
import dev.meshpipe.mesh.out.PreviewRenderer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One volume to one set of outputs: isovalue, extraction, world placement, quality, mesh files,
 * quality.json and preview.png. The processor and the {@code mesh} CLI command both run this.
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

    /**
     * @param iso       null (the volume's default), "auto" (Otsu), or a number
     * @param space     the frame of the STL, PLY, OBJ and 3MF files (null: RAS); GLB and the preview
     *                  stay in RAS, which their own transforms expect
     * @param name      the 3MF object's name (null: "surface")
     * @param finishing the finishing stages; null means the raw preset
     * @param threads   CPU threads for finishing; 0 means all cores
     */
    public record Options(String iso, Borders borders, List<MeshFormat> formats, CoordinateSpace space, String name,
                          Finishing.Options finishing, int threads) {
        public Options(String iso, Borders borders, List<MeshFormat> formats) {
            this(iso, borders, formats, null, null, null, 0);
        }

        public Options(String iso, Borders borders, List<MeshFormat> formats, CoordinateSpace space, String name) {
            this(iso, borders, formats, space, name, null, 0);
        }

        public Options(String iso, Borders borders, List<MeshFormat> formats, Finishing.Options finishing, int threads) {
            this(iso, borders, formats, null, null, finishing, threads);
        }

        public Finishing.Options finishingOrDefault() {
            return finishing == null ? Finishing.Options.raw() : finishing;
        }

        int threadsOrDefault() {
            return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        }

        public Borders bordersOrDefault() {
            return borders == null ? Borders.CLOSED : borders;
        }

        public List<MeshFormat> formatsOrDefault() {
            return formats == null || formats.isEmpty() ? MeshFormat.DEFAULTS : formats;
        }

        public CoordinateSpace spaceOrDefault() {
            return space == null ? CoordinateSpace.RAS : space;
        }
    }

    /** The content of quality.json. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Quality(
            long vertices, long triangles, double isovalue, String isovalueSource, String borders,
            double surfaceArea, Double enclosedVolume, Map<String, double[]> boundingBox,
            boolean watertight, long boundaryEdges, long nonManifoldEdges, long degenerateTriangles,
            long connectedComponents, long eulerCharacteristic, String device, String input,
            int[] dimensions, double[] spacing, String units, Map<String, Long> timingsMs, String space,
            Finishing.Report finishing) {}

    public record Result(Quality quality, List<String> files) {}

    private MeshJob() {}

    public static double chooseIso(Volume volume, String iso, StringBuilder source) {
        if (iso == null || iso.isBlank()) {
            if (Double.isNaN(volume.defaultIso())) {
                AutoIso.Choice c = AutoIso.choose(volume.data());
                source.append("auto (").append(c.source()).append(", the default for volume files)");
                return c.iso();
            }
            source.append("default");
            return volume.defaultIso();
        }
        if (iso.equalsIgnoreCase("auto")) {
            AutoIso.Choice c = AutoIso.choose(volume.data());
            source.append("auto (").append(c.source()).append(")");
            return c.iso();
        }
        try {
            double v = Double.parseDouble(iso.trim());
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            source.append("given");
            return v;
        } catch (NumberFormatException e) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "iso must be a number or 'auto'");
        }
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
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "the volume has no finite values, so it has no surface");
        }
        if (!(lo < iso && iso <= hi)) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, lo == hi
                    ? "every sample of the volume is " + lo + ", so there is no surface at any isovalue"
                    : "isovalue " + iso + " is outside the data's range (" + lo + " to " + hi
                            + "): no sample lies on one side of it, so there is no surface");
        }
    }

    public static Result run(Volume volume, Options options, Extractor extractor, OutputSink sink, Progress progress)
            throws IOException {
        Map<String, Long> timings = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        progress.report(5, "isovalue");
        StringBuilder isoSource = new StringBuilder();
        double iso = chooseIso(volume, options.iso(), isoSource);
        requireSurface(volume, iso);
        long t1 = System.nanoTime();
        timings.put("isovalueMs", ms(t0, t1));
        progress.report(10, "extracting");
        Extraction extraction = extractor.extract(volume, iso, options.bordersOrDefault() == Borders.CLOSED);
        long t2 = System.nanoTime();
        timings.put("extractMs", ms(t1, t2));
        CoordinateSpace space = options.spaceOrDefault();
        Mesh mesh = extraction.mesh().transformed(space == CoordinateSpace.GRID ? Volume.identity() : volume.gridToWorld());
        Finishing.Options finishingOptions = options.finishingOrDefault();
        if (!finishingOptions.isRaw()) {
            progress.report(40, "finishing (" + finishingOptions.preset() + ")");
        }
        Finishing.Result finished = Finishing.run(mesh, finishingOptions, SurfaceMetrics.voxelVolume(volume, iso),
                options.threadsOrDefault());
        mesh = finished.mesh();
        long t2f = System.nanoTime();
        timings.put("finishMs", ms(t2, t2f));
        Mesh inSpace = space == CoordinateSpace.LPS ? mesh.swapRasLps() : mesh;
        progress.report(60, "measuring");
        MeshQuality q = MeshQuality.of(mesh);
        long t3 = System.nanoTime();
        timings.put("qualityMs", ms(t2f, t3));
        List<String> files = new ArrayList<>();
        List<MeshFormat> formats = options.formatsOrDefault();
        int step = 25 / Math.max(1, formats.size());
        int pct = 65;
        for (MeshFormat f : formats) {
            progress.report(pct, "writing " + f.fileName());
            try (OutputStream out = sink.create(f.fileName())) {
                if (f == MeshFormat.GLB) {
                    MeshWriters.write(f, mesh, out);
                } else {
                    MeshWriters.write(f, inSpace, options.name(), space, out);
                }
            }
            files.add(f.fileName());
            pct += step;
        }
        long t4 = System.nanoTime();
        timings.put("writeMs", ms(t3, t4));
        progress.report(90, "rendering preview");
        try (OutputStream out = sink.create(PREVIEW_FILE)) {
            PreviewRenderer.writePng(mesh, out);
        }
        files.add(PREVIEW_FILE);
        long t5 = System.nanoTime();
        timings.put("previewMs", ms(t4, t5));
        timings.put("totalMs", ms(t0, t5));
        Map<String, double[]> bbox = new LinkedHashMap<>();
        double[] min = q.boundingBoxMin();
        double[] max = q.boundingBoxMax();
        if (space == CoordinateSpace.LPS) {
            double[] lo = {-max[0], -max[1], min[2]};
            max = new double[] {-min[0], -min[1], max[2]};
            min = lo;
        }
        bbox.put("min", min);
        bbox.put("max", max);
        Quality quality = new Quality(q.vertices(), q.triangles(), iso, isoSource.toString(),
                options.bordersOrDefault().json(), q.surfaceArea(), q.enclosedVolume(), bbox, q.watertight(),
                q.boundaryEdges(), q.nonManifoldEdges(), q.degenerateTriangles(), q.connectedComponents(),
                q.eulerCharacteristic(), extraction.device(), volume.description(),
                new int[] {volume.nx(), volume.ny(), volume.nz()}, volume.spacing(), "mm", timings, space.json(), finished.report());
        try (OutputStream out = sink.create(QUALITY_FILE)) {
            out.write(Json.pretty(quality).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        files.add(QUALITY_FILE);
        progress.report(100, "meshed");
        return new Result(quality, files);
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
