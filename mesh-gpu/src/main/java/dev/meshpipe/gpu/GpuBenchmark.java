package dev.meshpipe.gpu;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.Otsu;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The GPU benchmark: for each volume, the device time of extraction (CUDA events), the host-device
 * transfers alone, end to end from host volume to host mesh, and the CPU path on the same machine;
 * then the ratios the goals name: extraction against the memory-bandwidth floor (volume read once,
 * mesh written once, at the GPU's peak bandwidth) and end to end against the transfers.
 *
 * <pre>java -Xmx48g -cp ... dev.meshpipe.gpu.GpuBenchmark [VOLUME ...]</pre>
 *
 * Volumes are files or synthetic specs; default {@code sphere:512:200}, ch2better and {@code sphere:1024:400}.
 */
public final class GpuBenchmark {
    private static final int RUNS = 5;

    private GpuBenchmark() {}

    public static void main(String[] args) throws Exception {
        // A benchmark, not a service: tools/gpu_check.sh names its copy of the volumes with -Dmeshpipe.mri.dir.
        String mri = System.getProperty("meshpipe.mri.dir", "/usr/share/mricron/templates");
        List<String> volumes = args.length > 0 ? Arrays.asList(args)
                : List.of("sphere:512:200", mri + "/ch2better.nii.gz", "sphere:1024:400");
        int cpus = Runtime.getRuntime().availableProcessors();
        GpuMarchingCubes gpu = GpuMarchingCubes.open(cpus, GpuMarchingCubes.OnError.FAIL, 0);
        GpuDevice device = GpuDevice.open();
        double peak;
        synchronized (device) {
            device.makeCurrent();
            peak = device.peakBandwidth();
        }
        System.out.printf("GPU: %s, peak memory bandwidth %.0f GB/s; CPU path on %d threads; medians of %d runs after a warm-up%n",
                gpu.deviceName(), peak / 1e9, cpus, RUNS);
        double[] dma = dmaRates(device);
        System.out.printf("pinned memory DMA alone (256 MiB, one copy): host to device %.1f GB/s, device to host %.1f GB/s%n",
                dma[0], dma[1]);
        System.out.printf("%-24s %10s %6s %10s %10s %10s %10s %10s %10s %9s %9s %9s%n", "volume", "triangles", "slabs",
                "kernel_ms", "floor_ms", "h2d_ms", "d2h_ms", "e2e_ms", "cpu_ms", "kern/flr", "e2e/xfer", "cpu/e2e");
        VolumeLimits limits = new VolumeLimits(1L << 31, 16L << 30);
        List<String> breakdown = new ArrayList<>();
        for (String spec : volumes) {
            Volume v = VolumeReader.read(spec, limits).inGridSpace();
            double iso = Double.isNaN(v.defaultIso()) ? Otsu.threshold(v.data()) : v.defaultIso();
            gpu.extractTimed(v, iso, false);
            List<GpuMarchingCubes.Timed> runs = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                runs.add(gpu.extractTimed(v, iso, false));
            }
            Mesh m = runs.get(0).mesh();
            java.util.Map<String, double[]> profile = new java.util.TreeMap<>();
            synchronized (device) {
                device.profile = profile;
            }
            try {
                gpu.extractTimed(v, iso, false);
            } finally {
                synchronized (device) {
                    device.profile = null;
                }
            }
            StringBuilder parts = new StringBuilder();
            profile.forEach((k, d) -> parts.append(String.format(" %s %.3f ms (%d launches, %.0f us host each);", k, d[0], (int) d[2],
                    1000 * d[1] / d[2])));
            breakdown.add(String.format("%-24s%s", name(spec), parts));
            if (m == null) {
                System.out.printf("%-24s vertices on grid points: the job would run on the CPU%n", name(spec));
                continue;
            }
            MarchingCubes.extract(v, iso, false, cpus);
            double[] cpu = new double[3];
            for (int i = 0; i < cpu.length; i++) {
                long t = System.nanoTime();
                MarchingCubes.extract(v, iso, false, cpus);
                cpu[i] = (System.nanoTime() - t) / 1e6;
            }
            double kernel = median(runs, GpuMarchingCubes.Timed::kernelMs);
            double up = median(runs, GpuMarchingCubes.Timed::uploadMs);
            double down = median(runs, GpuMarchingCubes.Timed::downloadMs);
            double e2e = median(runs, GpuMarchingCubes.Timed::totalMs);
            double bytes = 4.0 * v.voxelCount() + 4.0 * m.positions().length + 4.0 * m.triangles().length;
            double floor = bytes / peak * 1e3;
            Arrays.sort(cpu);
            System.out.printf("%-24s %10d %6d %10.2f %10.2f %10.2f %10.2f %10.2f %10.1f %9.2f %9.2f %9.1f%n", name(spec),
                    m.triangleCount(), runs.get(0).slabs(), kernel, floor, up, down, e2e, cpu[1], kernel / floor,
                    e2e / (up + down), cpu[1] / e2e);
        }
        System.out.println("kernels one at a time (each launch waited for; device ms per extraction):");
        breakdown.forEach(System.out::println);
    }

    /** The copy engine's rate from and to pinned memory, the ceiling for any transfer path. */
    private static double[] dmaRates(GpuDevice device) {
        long bytes = 256L << 20;
        synchronized (device) {
            device.makeCurrent();
            GpuDevice.PinnedBuffer host = device.pinnedBuffer();
            GpuDevice.Buffer dev = device.buffer();
            host.ensure(bytes);
            dev.ensure(bytes);
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
            for (int i = 0; i < RUNS; i++) {
                long t = System.nanoTime();
                jcuda.driver.JCudaDriver.cuMemcpyHtoD(dev.ptr, host.host, bytes);
                best[0] = Math.min(best[0], (System.nanoTime() - t) / 1e9);
                t = System.nanoTime();
                jcuda.driver.JCudaDriver.cuMemcpyDtoH(host.host, dev.ptr, bytes);
                best[1] = Math.min(best[1], (System.nanoTime() - t) / 1e9);
            }
            return new double[] {bytes / best[0] / 1e9, bytes / best[1] / 1e9};
        }
    }

    private static String name(String spec) {
        int slash = spec.lastIndexOf('/');
        return slash < 0 ? spec : spec.substring(slash + 1);
    }

    private static double median(List<GpuMarchingCubes.Timed> runs, ToDoubleFunction<GpuMarchingCubes.Timed> f) {
        double[] d = runs.stream().mapToDouble(f).sorted().toArray();
        return d[d.length / 2];
    }
}
