import dev.meshpipe.mesh.*;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.out.PreviewRenderer;
/** Times the preview of a synthetic volume in one warm JVM: `java -cp standalone/target/meshpipe.jar tools/PreviewTiming.java sphere:16:5`. */
public class PreviewTiming {
  public static void main(String[] a) throws Exception {
    Volume v = SyntheticVolumes.create(a[0], VolumeLimits.defaults());
    Mesh m = dev.meshpipe.mesh.mc.MarchingCubes.extract(v, v.defaultIso(), true, 1);
    for (int r = 0; r < 40; r++) {
      long t0 = System.nanoTime();
      PreviewRenderer.Canvas c = new PreviewRenderer.Canvas(m.positions(), 512);
      long t1 = System.nanoTime();
      c.add(m, PreviewRenderer.BONE);
      long t2 = System.nanoTime();
      var img = c.image();
      long t3 = System.nanoTime();
      c.writePng(java.io.OutputStream.nullOutputStream());
      long t4 = System.nanoTime();
      if (r % 8 == 7) System.out.printf("new %.1f add %.1f image %.1f png(image+write) %.1f%n", (t1-t0)/1e6, (t2-t1)/1e6, (t3-t2)/1e6, (t4-t3)/1e6);
    }
  }
}
