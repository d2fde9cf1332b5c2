package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Otsu;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.MarchingCubes;
import dev.meshpipe.mesh.out.PlyWriter;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times {@link QuadricDecimator} on a volume's raw marching-cubes surface for
 * {@code tools/bench_decimate.py}; prints one JSON object. Arguments:
 * {@code VOLUME [--iso V|otsu] [--borders closed|open] [--fraction F] [--max-error MM]
 * [--threads N] [--repeat N] [--warmup N] [--raw-ply FILE] [--out-ply FILE]}.
 */
public final class DecimateBench {
    private DecimateBench() {}

    public static void main(String[] args) throws Exception {
        String volumeArg = null;
        String iso = "otsu";
        boolean closed = true;
        double fraction = 0.1;
        double maxError = Double.POSITIVE_INFINITY;
        int threads = 2;
        int repeat = 5;
        int warmup = 2;
        Path rawPly = null;
        Path outPly = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--iso" -> iso = args[++i];
                case "--borders" -> closed = !"open".equals(args[++i]);
                case "--fraction" -> fraction = Double.parseDouble(args[++i]);
                case "--max-error" -> maxError = Double.parseDouble(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--raw-ply" -> rawPly = Path.of(args[++i]);
                case "--out-ply" -> outPly = Path.of(args[++i]);
                default -> volumeArg = args[i];
            }
        }
        if (volumeArg == null) {
            throw new IllegalArgumentException("usage: DecimateBench VOLUME [options]");
        }
        Volume volume = VolumeReader.read(volumeArg, VolumeLimits.defaults()).inGridSpace();
        double isovalue = "otsu".equals(iso) ? Otsu.threshold(volume.data()) : Double.parseDouble(iso);
        Mesh raw = MarchingCubes.extract(volume, isovalue, closed, threads);
        QuadricDecimator.Options options = new QuadricDecimator.Options(fraction, 0, maxError);
        QuadricDecimator.Result result = null;
        for (int i = 0; i < warmup; i++) {
            result = QuadricDecimator.decimate(raw, options, threads);
        }
        double[] ms = new double[repeat];
        double[] cpu = new double[repeat];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long[][] phases = new long[repeat][];
        for (int i = 0; i < repeat; i++) {
            long t0 = System.nanoTime();
            long c0 = mx.getCurrentThreadCpuTime();
            result = QuadricDecimator.decimate(raw, options, threads);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
            phases[i] = QuadricDecimator.PHASE_NANOS.get().clone();
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        int mid = repeat / 2;
        long[] ph = phases[indexOf(ms, sorted[mid])];
        SurfaceMetrics.Hausdorff h = SurfaceMetrics.hausdorff(raw, result.mesh(), threads);
        double[] sp = volume.spacing();
        // A "voxel" for the accuracy goals: the largest spacing (ch2's voxels are 1 mm cubes).
        double voxel = Math.max(sp[0], Math.max(sp[1], sp[2]));
        MeshQuality before = MeshQuality.of(raw);
        MeshQuality after = MeshQuality.of(result.mesh());
        if (rawPly != null) {
            write(raw, rawPly);
        }
        if (outPly != null) {
            write(result.mesh(), outPly);
        }
        System.out.println(String.format(Locale.ROOT,
                "{\"volume\": \"%s\", \"iso\": %s, \"borders\": \"%s\", \"threads\": %d, \"fraction\": %s, "
                        + "\"ms_median\": %.1f, \"ms_all\": %s, \"this_thread_cpu_ms\": %s, \"passes\": %d, \"refused_link_valence_normal_quality\": %s, \"phases_ms\": {\"setup\": %.1f, \"classify\": %.1f, "
                        + "\"costs\": %.1f, \"collapses\": %.1f, \"passes\": %.1f, \"output\": %.1f, \"gather\": %.1f, \"reserve\": %.1f, \"compact\": %.1f}, "
                        + "\"triangles_before\": %d, \"triangles_after\": %d, \"collapses\": %d, \"refused\": %d, "
                        + "\"max_error_mm\": %.4f, \"boundary_edges_before\": %d, \"boundary_edges\": %d, "
                        + "\"non_manifold_edges\": %d, \"degenerate_triangles\": %d, \"volume_before\": %s, \"volume_after\": %s, "
                        + "\"voxel_mm\": %s, \"hausdorff_mm\": {\"max\": %.4f, \"p95\": %.4f, \"mean\": %.4f}}",
                volumeArg.replace("\\", "\\\\").replace("\"", "\\\""), isovalue, closed ? "closed" : "open", threads, fraction,
                sorted[mid], Arrays.toString(ms), Arrays.toString(cpu), QuadricDecimator.PASSES.get()[0], Arrays.toString(QuadricDecimator.REFUSALS.get()), ph[0] / 1e6, ph[1] / 1e6, ph[2] / 1e6, ph[3] / 1e6, ph[4] / 1e6, ph[5] / 1e6, ph[6] / 1e6, ph[7] / 1e6, ph[8] / 1e6,
                result.trianglesBefore(), result.trianglesAfter(), result.collapses(), result.refused(), result.maxErrorMm(),
                before.boundaryEdges(), after.boundaryEdges(), after.nonManifoldEdges(), after.degenerateTriangles(),
                MeshQuality.signedVolume(raw), MeshQuality.signedVolume(result.mesh()),
                voxel, h.max(), h.p95(), h.mean()));
    }

    private static int indexOf(double[] a, double v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return 0;
    }

    private static void write(Mesh mesh, Path file) throws Exception {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            PlyWriter.write(mesh, os);
        }
    }
}
