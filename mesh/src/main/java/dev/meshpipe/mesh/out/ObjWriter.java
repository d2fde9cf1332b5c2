package dev.meshpipe.mesh.out;

import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.Mesh;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/** Wavefront OBJ: {@code v} lines then 1-based {@code f} lines. */
public final class ObjWriter {
    private ObjWriter() {}

    public static void write(Mesh mesh, OutputStream os) throws IOException {
        write(mesh, CoordinateSpace.RAS, os);
    }

    /** The first comment names the frame as 3D Slicer does ("# ... SPACE=RAS"). */
    public static void write(Mesh mesh, CoordinateSpace space, OutputStream os) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.US_ASCII), 1 << 16);
        w.write("# meshpipe, " + MeshWriters.frame(space) + "\n");
        float[] p = mesh.positions();
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < p.length; i += 3) {
            sb.setLength(0);
            sb.append("v ").append(p[i]).append(' ').append(p[i + 1]).append(' ').append(p[i + 2]).append('\n');
            w.append(sb);
        }
        int[] t = mesh.triangles();
        for (int i = 0; i < t.length; i += 3) {
            sb.setLength(0);
            sb.append("f ").append(t[i] + 1).append(' ').append(t[i + 1] + 1).append(' ').append(t[i + 2] + 1).append('\n');
            w.append(sb);
        }
        w.flush();
    }
}
