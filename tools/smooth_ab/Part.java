package dev.meshpipe.mesh.finish;
import dev.meshpipe.mesh.*;
import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.MarchingCubes;
/** tools/smooth_ab.sh's probe, compiled into each build's classes: the smoothing stage part by part, in CPU ns. */
public class Part {
  static Mesh raw; static int threads;
  public static void setup(int th) throws Exception {
    threads = th;
    Volume volume = VolumeReader.read("/usr/share/mricron/templates/ch2.nii.gz", VolumeLimits.defaults()).inGridSpace();
    raw = MarchingCubes.extract(volume, 44.1, true, threads).transformed(volume.gridToWorld());
  }
  /** CPU ns (all threads) of the adjacency, the smoother and the volume correction; the output in {@link #last}. */
  public static long[] run(double pb) {
    long t0 = cpu();
    Adjacency adj = Adjacency.of(raw, threads);
    long t1 = cpu();
    Mesh s = WindowedSincSmoother.smooth(raw, adj, 20, pb, threads);
    long t2 = cpu();
    Mesh out = VolumePreservation.restore(raw, s, adj, threads);
    long t3 = cpu();
    last = out.positions();
    return new long[] {t1 - t0, t2 - t1, t3 - t2};
  }
  public static float[] last;
  static final java.lang.management.ThreadMXBean TM = java.lang.management.ManagementFactory.getThreadMXBean();
  /** CPU of every live thread, in ns: the pools' threads and this one. */
  static long cpu() { long s = 0; for (long id : TM.getAllThreadIds()) { long c = TM.getThreadCpuTime(id); if (c > 0) s += c; } return s; }
}
