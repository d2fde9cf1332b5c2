package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.VolumeReader;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times {@link LabelSurfaces#extract} on a label map and prints one JSON object (used by
 * tools/bench_labels.py): {@code LabelBench FILE [threads] [repeats]}; with a fourth argument
 * {@code job} or {@code job-no-hausdorff}, the whole smoothed {@link LabelJob} instead (reading the
 * file, extraction, constrained smoothing, STL per structure, GLB, 3MF, quality.json into a
 * temporary directory).
 */
public final class LabelBench {
    private LabelBench() {}

    /**
     * Memory of a large job: an n^3 float label map of 180 touching boxes (6 x 6 x 5) with a ball
     * nested in each of the first 20 (200 labels), smoothed (unless the third argument is {@code raw}), every format written to a sink that
     * discards the bytes (GLB and 3MF still spill to temporary files). Heap in use is sampled every
     * 5 ms after a full GC, so the peak is live data plus garbage not yet collected.
     */
    private static void synthetic(int n, int threads, boolean raw) throws Exception {
        float[] d = new float[n * n * n];
        int bx = (n + 5) / 6, bz = (n + 4) / 5;
        for (int z = 0; z < n; z++) {
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    int cx = x / bx, cy = y / bx, cz = z / bz;
                    int box = cx + 6 * (cy + 6 * cz);
                    int label = 1 + box;
                    if (box < 20) {
                        double ox = x - (cx + 0.5) * bx, oy = y - (cy + 0.5) * bx, oz = z - (cz + 0.5) * bz;
                        if (ox * ox + oy * oy + oz * oz < 0.1 * bx * bx) {
                            label = 181 + box;
                        }
                    }
                    d[x + n * (y + n * z)] = label;
                }
            }
        }
        Volume v = new Volume(n, n, n, d, new double[] {1, 1, 1}, Volume.identity(), true, Double.NaN, "synthetic labels");
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long before = rt.totalMemory() - rt.freeMemory();
        long[] peak = {before};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak[0] = Math.max(peak[0], rt.totalMemory() - rt.freeMemory());
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        LabelJob.LabelOptions options = new LabelJob.LabelOptions(LabelSelection.all(), raw ? null : LabelSmoothing.Options.defaults(),
                java.util.List.of(dev.meshpipe.mesh.MeshFormat.STL, dev.meshpipe.mesh.MeshFormat.GLB,
                        dev.meshpipe.mesh.MeshFormat.THREE_MF), dev.meshpipe.mesh.CoordinateSpace.RAS, false, threads);
        long s = System.nanoTime();
        LabelJob.Quality q = LabelJob.run(v, options, ColorTable.empty(), name -> java.io.OutputStream.nullOutputStream());
        double ms = (System.nanoTime() - s) / 1e6;
        sampler.interrupt();
        sampler.join();
        System.out.printf(Locale.ROOT, "{\"n\": %d, \"threads\": %d, \"max_heap_mib\": %d, \"heap_before_mib\": %d, \"peak_heap_mib\": %d, "
                        + "\"wall_ms\": %.0f, \"timings_ms\": %s, \"structures\": %d, \"triangles\": %d, \"worst_volume_difference_percent\": %.4f, "
                        + "\"smoothing\": \"%s\"}%n", n, threads, rt.maxMemory() >> 20, before >> 20, peak[0] >> 20, ms,
                dev.meshpipe.mesh.out.MeshJson.MAPPER.writeValueAsString(q.timingsMs()), q.totals().structures(), q.totals().triangles(),
                q.totals().worstVolumeDifferencePercent(), q.smoothingReport());
    }

    private static void job(String file, int threads, int repeats, boolean hausdorff) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("label-bench");
        LabelJob.LabelOptions options = new LabelJob.LabelOptions(LabelSelection.all(), LabelSmoothing.Options.defaults(),
                java.util.List.of(dev.meshpipe.mesh.MeshFormat.STL, dev.meshpipe.mesh.MeshFormat.GLB,
                        dev.meshpipe.mesh.MeshFormat.THREE_MF), dev.meshpipe.mesh.CoordinateSpace.RAS, hausdorff, threads);
        dev.meshpipe.mesh.MeshJob.OutputSink sink = name -> {
            java.nio.file.Path p = dir.resolve(name);
            java.nio.file.Files.createDirectories(p.getParent());
            return java.nio.file.Files.newOutputStream(p);
        };
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        java.lang.management.MemoryPoolMXBean[] pools = java.lang.management.ManagementFactory.getMemoryPoolMXBeans()
                .toArray(new java.lang.management.MemoryPoolMXBean[0]);
        int warmups = 2;
        double[] ms = new double[repeats];
        double[] cpu = new double[repeats];
        LabelJob.Quality q = null;
        for (int i = 0; i < warmups + repeats; i++) {
            long c = os.getProcessCpuTime();
            long s = System.nanoTime();
            Volume v = VolumeReader.read(file, VolumeLimits.defaults());
            q = LabelJob.run(v, options, ColorTable.empty(), sink);
            if (i >= warmups) {
                ms[i - warmups] = (System.nanoTime() - s) / 1e6;
                cpu[i - warmups] = (os.getProcessCpuTime() - c) / 1e6;
            }
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        long bytes = 0;
        java.util.Map<String, Long> byType = new java.util.TreeMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> w = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) w::iterator) {
                if (java.nio.file.Files.isRegularFile(p)) {
                    String name = p.getFileName().toString();
                    byType.merge(name.substring(name.lastIndexOf('.') + 1), java.nio.file.Files.size(p), Long::sum);
                    bytes += java.nio.file.Files.size(p);
                    java.nio.file.Files.delete(p);
                }
            }
        }
        long peakHeap = 0;
        for (java.lang.management.MemoryPoolMXBean p : pools) {
            if (p.getType() == java.lang.management.MemoryType.HEAP) {
                peakHeap += p.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "{\"file\": \"%s\", \"threads\": %d, \"repeats\": %d, \"hausdorff\": %b, "
                        + "\"median_ms\": %.1f, \"min_ms\": %.1f, \"max_ms\": %.1f, \"median_process_cpu_ms\": %.1f, "
                        + "\"last_timings_ms\": %s, \"structures\": %d, \"triangles\": %d, \"worst_volume_difference_percent\": %.4f, "
                        + "\"worst_hausdorff_mm\": %.3f, \"pinched_edges\": %d, \"all_watertight\": %b, \"smoothing\": \"%s\", "
                        + "\"output_bytes_per_run\": %d, \"output_bytes_by_type\": %s, \"peak_heap_mib_sum_of_pools\": %d}%n",
                file, threads, repeats, hausdorff, ms[repeats / 2], ms[0], ms[repeats - 1], cpu[repeats / 2],
                dev.meshpipe.mesh.out.MeshJson.MAPPER.writeValueAsString(q.timingsMs()), q.totals().structures(), q.totals().triangles(),
                q.totals().worstVolumeDifferencePercent(), q.totals().worstHausdorff(), q.totals().pinchedEdges(),
                q.totals().allWatertight(), q.smoothingReport(), bytes, dev.meshpipe.mesh.out.MeshJson.MAPPER.writeValueAsString(byType), peakHeap >> 20);
    }

    /** Collection time of every collector so far (pauses and concurrent cycles as each bean counts them). */
    private static long gcMillis() {
        long t = 0;
        for (java.lang.management.GarbageCollectorMXBean b : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, b.getCollectionTime());
        }
        return t;
    }

    public static void main(String[] args) throws Exception {
        String file = args[0];
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        if (file.startsWith("synthetic:")) {
            synthetic(Integer.parseInt(file.substring("synthetic:".length())), threads, args.length > 2 && args[2].equals("raw"));
            return;
        }
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        if (args.length > 3) {
            job(file, threads, repeats, !args[3].equals("job-no-hausdorff"));
            return;
        }
        long t0 = System.nanoTime();
        Volume v = VolumeReader.read(file, VolumeLimits.defaults());
        double readMs = (System.nanoTime() - t0) / 1e6;
        LabelSurfaces.Result r = null;
        for (int i = 0; i < 10; i++) {
            r = LabelSurfaces.extract(v, LabelSelection.all(), threads);
        }
        double[] ms = new double[repeats];
        double[] cpu = new double[repeats];
        // CPU time tells the work apart from waiting for a core on a shared machine.
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        // The process clock ticks in 10 ms on some VMs: the mean over all repeats is finer than their median.
        long cpuStart = os.getProcessCpuTime();
        long gcStart = gcMillis();
        for (int i = 0; i < repeats; i++) {
            long c = os.getProcessCpuTime();
            long s = System.nanoTime();
            r = LabelSurfaces.extract(v, LabelSelection.all(), threads);
            ms[i] = (System.nanoTime() - s) / 1e6;
            cpu[i] = (os.getProcessCpuTime() - c) / 1e6;
        }
        double meanCpu = (os.getProcessCpuTime() - cpuStart) / 1e6 / repeats;
        double meanGc = (gcMillis() - gcStart) / (double) repeats;
        Arrays.sort(ms);
        Arrays.sort(cpu);
        StringBuilder per = new StringBuilder();
        long pinchedEdges = 0;
        int pinchedStructures = 0;
        double worstVolumeDiff = 0;
        for (LabelSurfaces.Structure s : r.structures()) {
            MeshQuality q = MeshQuality.of(s.mesh());
            pinchedEdges += q.nonManifoldEdges();
            pinchedStructures += q.nonManifoldEdges() + q.boundaryEdges() > 0 ? 1 : 0;
            double diff = Math.abs(MeshQuality.signedVolume(s.mesh()) - s.voxelVolume()) / s.voxelVolume();
            worstVolumeDiff = Math.max(worstVolumeDiff, diff);
            per.append(per.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
                    "\"%d\": {\"triangles\": %d, \"voxels\": %d, \"voxel_volume\": %.1f, \"surface_volume\": %.1f, \"non_manifold_edges\": %d}",
                    s.label(), s.mesh().triangleCount(), s.voxels(), s.voxelVolume(), MeshQuality.signedVolume(s.mesh()),
                    q.nonManifoldEdges()));
        }
        System.out.printf(Locale.ROOT, "{\"file\": \"%s\", \"threads\": %d, \"repeats\": %d, \"read_ms\": %.1f, "
                        + "\"median_ms\": %.2f, \"median_process_cpu_ms\": %.2f, \"mean_process_cpu_ms\": %.2f, \"mean_gc_ms\": %.2f, "
                        + "\"min_ms\": %.2f, \"max_ms\": %.2f, \"structures\": %d, \"triangles\": %d, "
                        + "\"structures_with_non_manifold_edges\": %d, \"non_manifold_edges\": %d, "
                        + "\"worst_relative_volume_difference\": %.3g, \"labels\": {%s}}%n",
                file, threads, repeats, readMs, ms[repeats / 2], cpu[repeats / 2], meanCpu, meanGc, ms[0], ms[repeats - 1], r.structures().size(), r.triangles(),
                pinchedStructures, pinchedEdges, worstVolumeDiff, per);
    }
}
