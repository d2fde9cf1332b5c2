package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.MeshOptions;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.lang.management.ManagementFactory;

/**
 * The print preset's Hausdorff distance to the raw surface alone, on one volume, several times in
 * one JVM: process CPU time and wall time per run. CPU time, because on a shared machine the wall
 * time of one stage swings with the neighbours' load more than with the code. Run by
 * tools/bench_hausdorff.sh.
 */
public final class HausdorffCpu {
    public static void main(String[] args) throws Exception {
        String file = args.length > 0 ? args[0] : "/usr/share/mricron/templates/ch2.nii.gz";
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Volume v = VolumeReader.read(file, VolumeLimits.defaults());
        double iso = MeshJob.chooseIso(v, MeshOptions.defaults().iso()).value();
        Mesh raw = MarchingCubes.extract(v, iso, false, 2).transformed(v.gridToWorld());
        Mesh fin = Finishing.run(raw, Finishing.Options.preset(Finishing.PRINT), null, 2).mesh();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int r = 0; r < runs; r++) {
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            SurfaceMetrics.Hausdorff h = SurfaceMetrics.hausdorff(fin, raw, 2);
            System.out.printf("run %d: cpu %d ms, wall %d ms, %s%n", r, (os.getProcessCpuTime() - c0) / 1_000_000,
                    (System.nanoTime() - t0) / 1_000_000, h);
        }
    }
}
