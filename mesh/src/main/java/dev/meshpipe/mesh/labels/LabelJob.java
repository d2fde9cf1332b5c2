package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.out.MeshJson;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.MeshFormat;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.finish.SurfaceMetrics;
import dev.meshpipe.mesh.out.GlbWriter;
import dev.meshpipe.mesh.out.MeshWriters;
import dev.meshpipe.mesh.out.PreviewRenderer;
import dev.meshpipe.mesh.out.ThreeMfWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A label map meshed into one file per structure and format ({@code labels/{id}-{name}.{ext}}),
 * one GLB with a named node and material per structure ({@value #GLB_FILE}), one 3MF with an object
 * per structure in its colour ({@value #THREE_MF_FILE}) and {@value #QUALITY_FILE} with figures per
 * structure and totals, from one call. Structures are meshed in turn (up to {@code threads} at a
 * time, written in label order as they finish), and the GLB's binary chunk and the 3MF are spilled
 * to temporary files as they grow, so memory follows a few structures, not the whole result.
 * {@value MeshJob#PREVIEW_FILE} shows every structure in its colour, drawn into one z-buffer as each is written.
 */
public final class LabelJob {
    public static final String GLB_FILE = "labels.glb";
    public static final String THREE_MF_FILE = "labels.3mf";
    public static final String QUALITY_FILE = "quality.json";

    private LabelJob() {}

    /**
     * @param selection  which labels become structures
     * @param smoothing  constrained smoothing, or null for the raw voxel surfaces
     * @param formats    STL, PLY and OBJ give a file per structure; GLB and 3MF one file holding all
     * @param space      frame of the STL, PLY, OBJ and 3MF files (GLB is always glTF's frame from RAS)
     * @param hausdorff  measure each smoothed structure's distance to its raw surface
     * @param finishing  cleanup and decimation per structure, boundaries kept shared ({@link LabelDecimation}), or null
     * @param fillCavities background enclosed by one label becomes that label before meshing ({@link LabelCavities})
     */
    public record LabelOptions(LabelSelection selection, LabelSmoothing.Options smoothing, List<MeshFormat> formats,
                               CoordinateSpace space, boolean hausdorff, int threads, LabelDecimation.Options finishing,
                               boolean fillCavities) {
        public LabelOptions {
            selection = selection == null ? LabelSelection.all() : selection;
            formats = formats == null ? MeshFormat.DEFAULTS : List.copyOf(formats);
            space = space == null ? CoordinateSpace.RAS : space;
            threads = Math.max(1, threads);
        }

        /** Without filling cavities. */
        public LabelOptions(LabelSelection selection, LabelSmoothing.Options smoothing, List<MeshFormat> formats,
                            CoordinateSpace space, boolean hausdorff, int threads, LabelDecimation.Options finishing) {
            this(selection, smoothing, formats, space, hausdorff, threads, finishing, false);
        }

        /** Without cleanup, decimation or filling cavities. */
        public LabelOptions(LabelSelection selection, LabelSmoothing.Options smoothing, List<MeshFormat> formats,
                            CoordinateSpace space, boolean hausdorff, int threads) {
            this(selection, smoothing, formats, space, hausdorff, threads, null, false);
        }

        public static LabelOptions defaults() {
            return new LabelOptions(LabelSelection.all(), LabelSmoothing.Options.defaults(),
                    List.of(MeshFormat.STL, MeshFormat.GLB, MeshFormat.THREE_MF), CoordinateSpace.RAS, true, 2);
        }
    }

    /** Figures of one structure, as quality.json lists them. */
    public record StructureQuality(int label, String name, String colour, long voxels, double voxelVolume,
                                   double surfaceVolume, double volumeDifferencePercent, double surfaceArea,
                                   long triangles, long vertices, boolean watertight, boolean manifold,
                                   long pinchedEdges, boolean manifoldByPosition, long pinchedEdgesByPosition,
                                   long cavityVoxelsFilled,
                                   SurfaceMetrics.Hausdorff hausdorffToRaw, List<String> files,
                                   LabelDecimation.Figures finishing) {}

    /**
     * @param pinchedEdgesByPosition         edges in other than two triangles once each structure is welded by position
     * @param structuresNotManifoldByPosition how many structures have such edges
     */
    public record Totals(int structures, int labelsPresent, long voxels, double voxelVolume, double surfaceVolume,
                         double worstVolumeDifferencePercent, long triangles, long pinchedEdges, boolean allWatertight,
                         double worstHausdorff, long pinchedEdgesByPosition, int structuresNotManifoldByPosition) {}

    /**
     * @param mode       always "labels"
     * @param modeReason why this volume was meshed per label (asked for, or the recognition rule)
     * @param cavities   what filling cavities did, null when not asked for
     */
    public record Quality(String mode, String modeReason, String smoothing, List<StructureQuality> structures, Totals totals,
                          List<LabelSurfaces.Dropped> dropped, List<Integer> missing,
                          LabelSurfaces.SmoothingReport smoothingReport, String space, Map<String, Long> timingsMs,
                          LabelDecimation.Report finishing, LabelCavities.Report cavities) {}

    public static Quality run(Volume volume, LabelOptions options, ColorTable colours, MeshJob.OutputSink sink) throws IOException {
        return run(volume, options, colours, sink, "mode=labels was asked for");
    }

    /** As {@link #run(Volume, LabelOptions, ColorTable, MeshJob.OutputSink)}, quality.json saying why label mode ran. */
    public static Quality run(Volume volume, LabelOptions options, ColorTable colours, MeshJob.OutputSink sink, String modeReason)
            throws IOException {
        ColorTable table = colours == null ? ColorTable.empty() : colours;
        Map<String, Long> timings = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        LabelCavities.Report cavities = null;
        if (options.fillCavities()) {
            LabelCavities.Result filled = LabelCavities.fill(volume);
            volume = filled.volume();
            cavities = filled.report();
            timings.put("fillCavitiesMs", ms(t0, System.nanoTime()));
        }
        Map<Integer, Long> filledVoxels = cavities == null ? Map.of() : cavities.filledVoxels();
        LabelSurfaces.Plan plan = LabelSurfaces.plan(volume, options.selection());
        long t1 = System.nanoTime();
        timings.put("indexMs", ms(t0, t1));
        if (options.smoothing() != null) {
            plan.smooth(options.smoothing(), options.threads());
        }
        long t2s = System.nanoTime();
        timings.put("smoothMs", ms(t1, t2s));
        // Cleanup and decimation need every structure at once; without them structures stream.
        LabelDecimation.Finished finished = options.finishing() == null ? null
                : LabelDecimation.finish(plan, options.finishing(), options.threads());
        long t2 = System.nanoTime();
        if (finished != null) {
            timings.put("finishMs", ms(t2s, t2));
        }
        List<MeshFormat> perStructure = options.formats().stream()
                .filter(f -> f != MeshFormat.GLB && f != MeshFormat.THREE_MF).toList();
        boolean glb = options.formats().contains(MeshFormat.GLB);
        boolean threeMf = options.formats().contains(MeshFormat.THREE_MF);
        List<Integer> rgba = new ArrayList<>();
        for (int k = 0; k < plan.size(); k++) {
            rgba.add(rgba(table, plan.label(k)));
        }
        List<StructureQuality> out = new ArrayList<>();
        boolean measure = options.hausdorff() && options.smoothing() != null;
        Path threeMfSpill = threeMf ? Files.createTempFile("meshpipe-labels-", ".3mf") : null;
        PreviewRenderer.Canvas preview = new PreviewRenderer.Canvas(plan.worldCorners(), PreviewRenderer.SIZE);
        try (GlbWriter.Scene scene = glb ? new GlbWriter.Scene() : null;
             OutputStream threeMfFile = threeMf ? Files.newOutputStream(threeMfSpill) : null;
             ThreeMfWriter.Streaming print = threeMf
                     ? new ThreeMfWriter.Streaming(rgba, options.space(), threeMfFile, options.threads()) : null;
             Lane printLane = new Lane("label-3mf");
             Lane previewLane = new Lane("label-preview")) {
            inTurn(plan, finished, options.threads(), measure, done -> {
                LabelSurfaces.Structure s = done.structure;
                int id = s.label();
                String name = table.name(id);
                Mesh inSpace = options.space() == CoordinateSpace.LPS ? s.mesh().swapRasLps() : s.mesh();
                List<String> files = new ArrayList<>();
                for (MeshFormat f : perStructure) {
                    String path = table.path(id, f.json());
                    try (OutputStream os = sink.create(path)) {
                        MeshWriters.write(f, inSpace, name, options.space(), os);
                    }
                    files.add(path);
                }
                if (scene != null) {
                    scene.add(name, rgba(table, id), s.mesh());
                }
                if (print != null) {
                    printLane.submit(() -> print.add(name, inSpace));
                }
                previewLane.submit(() -> preview.add(s.mesh(), table.rgb(id), done.quality.watertight()));
                out.add(quality(s, name, table.hex(id), done.quality, done.weldedPinches, filledVoxels.getOrDefault(id, 0L),
                        done.hausdorff, files,
                        finished == null ? null : finished.figuresOf(id)));
            });
            printLane.finish();
            previewLane.finish();
            if (print != null) {
                print.close();
                threeMfFile.close();
                try (OutputStream os = sink.create(THREE_MF_FILE); InputStream in = Files.newInputStream(threeMfSpill)) {
                    in.transferTo(os);
                }
            }
            if (scene != null) {
                try (OutputStream os = sink.create(GLB_FILE)) {
                    scene.writeTo(os);
                }
            }
        } finally {
            if (threeMfSpill != null) {
                Files.deleteIfExists(threeMfSpill);
            }
        }
        // Every structure is meshed, decimated and measured: the label indices go back for the next map.
        plan.release();
        long t3 = System.nanoTime();
        timings.put("meshAndWriteMs", ms(t2, t3));
        try (OutputStream os = sink.create(MeshJob.PREVIEW_FILE)) {
            preview.writePng(os);
        }
        long t4 = System.nanoTime();
        timings.put("previewMs", ms(t3, t4));
        timings.put("totalMs", ms(t0, t4));
        Quality q = new Quality("labels", modeReason, options.smoothing() == null ? "none"
                : "constrained windowed sinc, " + options.smoothing().iterations() + " iterations, passband "
                + options.smoothing().passBand() + (options.smoothing().correctVolume() ? ", volume corrected" : ""),
                out, totals(out, plan.labelsPresent()), plan.dropped(), plan.missing(), plan.smoothingReport(),
                options.space().json(), timings, finished == null ? null : finished.report(), cavities);
        try (OutputStream os = sink.create(QUALITY_FILE)) {
            os.write(MeshJson.pretty(q).getBytes(StandardCharsets.UTF_8));
        }
        return q;
    }

    private static int rgba(ColorTable table, int id) {
        ColorTable.Entry e = table.entries().get(id);
        double opacity = e == null ? 1 : e.opacity();
        int alpha = (int) Math.round(Math.max(0, Math.min(1, opacity)) * 255);
        return table.rgb(id) << 8 | alpha;
    }

    private static StructureQuality quality(LabelSurfaces.Structure s, String name, String hex, MeshQuality q,
                                            long weldedPinches, long filled, SurfaceMetrics.Hausdorff h, List<String> files, LabelDecimation.Figures figures) {
        double vol = MeshQuality.signedVolume(s.mesh());
        return new StructureQuality(s.label(), name, hex, s.voxels(), round(s.voxelVolume()), round(vol),
                round(100 * (vol - s.voxelVolume()) / s.voxelVolume()), round(q.surfaceArea()), q.triangles(), q.vertices(),
                q.watertight(), q.nonManifoldEdges() == 0, q.nonManifoldEdges(), weldedPinches == 0, weldedPinches, filled, h, files,
                figures);
    }

    private static Totals totals(List<StructureQuality> list, int labelsPresent) {
        long voxels = 0, triangles = 0, pinched = 0, weldedPinches = 0;
        int notManifoldByPosition = 0;
        double vv = 0, sv = 0, worst = 0, worstH = 0;
        boolean watertight = true;
        for (StructureQuality s : list) {
            voxels += s.voxels();
            triangles += s.triangles();
            pinched += s.pinchedEdges();
            weldedPinches += s.pinchedEdgesByPosition();
            notManifoldByPosition += s.manifoldByPosition() ? 0 : 1;
            vv += s.voxelVolume();
            sv += s.surfaceVolume();
            worst = Math.max(worst, Math.abs(s.volumeDifferencePercent()));
            watertight &= s.watertight();
            worstH = s.hausdorffToRaw() == null ? worstH : Math.max(worstH, s.hausdorffToRaw().max());
        }
        return new Totals(list.size(), labelsPresent, voxels, round(vv), round(sv), worst, triangles, pinched, watertight, worstH,
                weldedPinches, notManifoldByPosition);
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    private record Done(LabelSurfaces.Structure structure, MeshQuality quality, long weldedPinches,
                        SurfaceMetrics.Hausdorff hausdorff) {}

    private interface Writer {
        void write(Done done) throws IOException;
    }

    private interface Step {
        void run() throws IOException;
    }

    /**
     * Steps run in the order given on a thread of their own, at most {@value #LANE_AHEAD} behind
     * the caller: the 3MF's text and the preview's drawing each take a structure at a time in
     * label order (so their bytes do not depend on timing) while the caller writes the STL files
     * and the GLB, instead of one thread doing all of it in turn.
     */
    private static final class Lane implements AutoCloseable {
        private static final int LANE_AHEAD = 2;
        private final ExecutorService thread;
        private final Deque<Future<?>> pending = new ArrayDeque<>();

        Lane(String name) {
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }

        void submit(Step step) throws IOException {
            pending.add(thread.submit(() -> {
                step.run();
                return null;
            }));
            while (pending.size() > LANE_AHEAD) {
                await(pending.removeFirst());
            }
        }

        /** Waits for every step given; the first failure is thrown. */
        void finish() throws IOException {
            while (!pending.isEmpty()) {
                await(pending.removeFirst());
            }
        }

        private static void await(Future<?> f) throws IOException {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException(MeshError.MESHING_FAILED, "interrupted while writing labels", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new MeshException(MeshError.MESHING_FAILED, "label writing failed: " + e.getCause(), e.getCause());
            }
        }

        /** After a failure elsewhere: stops, and waits for a step under way, which may share a writer being closed. */
        @Override
        public void close() {
            thread.shutdownNow();
            try {
                thread.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Meshes and measures structures on {@code threads} workers, at most {@code threads} ahead of
     * the writer, and hands them to {@code writer} in label order on this thread.
     */
    private static void inTurn(LabelSurfaces.Plan plan, LabelDecimation.Finished finished, int threads, boolean measure,
                               Writer writer) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "label-job");
            t.setDaemon(true);
            return t;
        });
        try {
            Deque<Future<Done>> ahead = new ArrayDeque<>();
            int next = 0;
            for (int k = 0; k < plan.size(); k++) {
                while (next < plan.size() && ahead.size() < threads) {
                    int j = next++;
                    ahead.add(pool.submit(() -> {
                        LabelSurfaces.Meshed m = finished != null ? finished.meshed(j, measure) : plan.meshed(j, measure);
                        Mesh mesh = m.structure().mesh();
                        SurfaceMetrics.Hausdorff h = measure ? SurfaceMetrics.hausdorff(m.raw(), mesh, 1) : null;
                        // MeshQuality counts by vertex index; a slicer welds by position (WeldedEdges).
                        return new Done(m.structure(), MeshQuality.of(mesh), WeldedEdges.notInTwoTriangles(mesh), h);
                    }));
                }
                writer.write(ahead.removeFirst().get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException(MeshError.MESHING_FAILED, "interrupted while meshing labels", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new MeshException(MeshError.MESHING_FAILED, "label meshing failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
