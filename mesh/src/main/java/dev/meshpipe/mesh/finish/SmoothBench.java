package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the smoothing stage part by part in one warm JVM, wall and process CPU, on a volume's raw
 * marching-cubes surface; prints one line per part (median of the runs). Arguments:
 * {@code VOLUME [--iso V] [--iterations N] [--passband P] [--threads N] [--repeat N] [--warmup N] [--out FILE]};
 * {@code --out} writes the smoothed positions as little-endian floats, to compare two builds' output.
 * The parts add up to {@link Finishing#smooth}, which is timed whole as well.
 */
public final class SmoothBench {
    private SmoothBench() {}

    private static final String[] PARTS = {"adjacency", "smoother", "volume", "whole"};

    public static void main(String[] args) throws Exception {
        String volumeArg = null;
        double iso = 44.1;
        int iterations = 20;
        double passBand = 0.1;
        int threads = 2;
        int repeat = 7;
        int warmup = 5;
        String outFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--iso" -> iso = Double.parseDouble(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--passband" -> passBand = Double.parseDouble(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--out" -> outFile = args[++i];
                default -> volumeArg = args[i];
            }
        }
        Volume volume = VolumeReader.read(volumeArg, VolumeLimits.defaults()).inGridSpace();
        Mesh raw = MarchingCubes.extract(volume, iso, true, threads).transformed(volume.gridToWorld());
        Finishing.Options options = new Finishing.Options("bench", iterations, passBand, null, true, false, 0, false, 0, 0,
                Double.POSITIVE_INFINITY);
        double[][] wall = new double[PARTS.length][repeat];
        double[][] cpu = new double[PARTS.length][repeat];
        Mesh out = null;
        for (int r = -warmup; r < repeat; r++) {
            long[] w = new long[PARTS.length + 1];
            long[] c = new long[PARTS.length + 1];
            mark(w, c, 0);
            Adjacency adj = Adjacency.of(raw, threads);
            mark(w, c, 1);
            Mesh smoothed = WindowedSincSmoother.smooth(raw, adj, iterations, passBand, threads);
            mark(w, c, 2);
            out = VolumePreservation.restore(raw, smoothed, adj, threads);
            mark(w, c, 3);
            Finishing.smooth(raw, options, threads);
            mark(w, c, 4);
            if (r >= 0) {
                for (int k = 0; k < PARTS.length; k++) {
                    wall[k][r] = (w[k + 1] - w[k]) / 1e6;
                    cpu[k][r] = (c[k + 1] - c[k]) / 1e6;
                }
            }
        }
        if (outFile != null) {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * out.positions().length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(out.positions());
            java.nio.file.Files.write(java.nio.file.Path.of(outFile), bytes.array());
        }
        double v0 = Finishing.totalVolume(raw), v1 = Finishing.totalVolume(out);
        System.out.printf(Locale.ROOT, "%d vertices, %d triangles, %d iterations, passband %s, %d threads, volume change %.4f%%%n",
                raw.vertexCount(), raw.triangleCount(), iterations, passBand, threads, (v1 - v0) / Math.abs(v0) * 100);
        System.out.printf(Locale.ROOT, "%-10s %10s %10s%n", "part", "wall_ms", "cpu_ms");
        for (int k = 0; k < PARTS.length; k++) {
            System.out.printf(Locale.ROOT, "%-10s %10.1f %10.1f%n", PARTS[k], median(wall[k]), median(cpu[k]));
        }
    }

    private static void mark(long[] wall, long[] cpu, int i) {
        wall[i] = System.nanoTime();
        cpu[i] = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
