package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.VolumeReader;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times {@link LabelSurfaces#extract} on a label map and prints one JSON object (used by
 * tools/bench_labels.py): {@code LabelBench FILE [threads] [repeats]}.
 */
public final class LabelBench {
    private LabelBench() {}

    public static void main(String[] args) throws Exception {
        String file = args[0];
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 15;
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
        for (int i = 0; i < repeats; i++) {
            long c = os.getProcessCpuTime();
            long s = System.nanoTime();
            r = LabelSurfaces.extract(v, LabelSelection.all(), threads);
            ms[i] = (System.nanoTime() - s) / 1e6;
            cpu[i] = (os.getProcessCpuTime() - c) / 1e6;
        }
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
                        + "\"median_ms\": %.2f, \"median_process_cpu_ms\": %.2f, \"min_ms\": %.2f, \"max_ms\": %.2f, \"structures\": %d, \"triangles\": %d, "
                        + "\"structures_with_non_manifold_edges\": %d, \"non_manifold_edges\": %d, "
                        + "\"worst_relative_volume_difference\": %.3g, \"labels\": {%s}}%n",
                file, threads, repeats, readMs, ms[repeats / 2], cpu[repeats / 2], ms[0], ms[repeats - 1], r.structures().size(), r.triangles(),
                pinchedStructures, pinchedEdges, worstVolumeDiff, per);
    }
}
