import java.net.*; import java.lang.reflect.*; import java.util.*;
/** tools/smooth_ab.sh: builds' Part probes in their own class loaders, called in turn; medians of each part. */
public class AB {
  public static void main(String[] a) throws Exception {
    String[] dirs = a[0].split(","); int reps = Integer.parseInt(a[1]); double pb = Double.parseDouble(a[2]);
    Class<?>[] cls = new Class<?>[dirs.length];
    for (int i = 0; i < dirs.length; i++) {
      URLClassLoader l = new URLClassLoader(new URL[]{new java.io.File(dirs[i]).toURI().toURL()}, ClassLoader.getPlatformClassLoader());
      cls[i] = l.loadClass("dev.meshpipe.mesh.finish.Part");
      cls[i].getMethod("setup", int.class).invoke(null, 2);
    }
    long[][][] t = new long[dirs.length][reps][];
    for (int r = -4; r < reps; r++) for (int i = 0; i < dirs.length; i++) {
      long[] x = (long[]) cls[i].getMethod("run", double.class).invoke(null, pb);
      if (r >= 0) t[i][r] = x;
    }
    float[] ref = (float[]) cls[0].getField("last").get(null);
    for (int i = 0; i < dirs.length; i++) {
      float[] o = (float[]) cls[i].getField("last").get(null); double md = 0;
      for (int k = 0; k < o.length; k++) md = Math.max(md, Math.abs(o[k] - ref[k]));
      StringBuilder sb = new StringBuilder(dirs[i] + ":");
      for (int p = 0; p < 3; p++) { double[] m = new double[reps]; for (int r = 0; r < reps; r++) m[r] = t[i][r][p] / 1e6; Arrays.sort(m); sb.append(String.format(" %.1f", m[reps/2])); }
      System.out.println(sb + "  (adjacency, smoother, volume: median CPU ms)  max difference from the first build " + md);
    }
  }
}
