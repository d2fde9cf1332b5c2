package dev.meshpipe.mesh.out;

import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.Mesh;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Binary STL: an 80-byte header, the triangle count, then per triangle its normal and corners. */
public final class StlWriter {
    private StlWriter() {}

    public static void write(Mesh mesh, OutputStream os) throws IOException {
        write(mesh, CoordinateSpace.RAS, os);
    }

    /** The 80-byte header names the frame as 3D Slicer does ("SPACE=RAS"), and never starts with "solid". */
    public static void write(Mesh mesh, CoordinateSpace space, OutputStream os) throws IOException {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        byte[] header = Arrays.copyOf(("meshpipe binary STL, " + MeshWriters.frame(space)).getBytes(StandardCharsets.US_ASCII), 80);
        try (LittleEndianOut out = new LittleEndianOut(os)) {
            out.put(header);
            out.putInt(mesh.triangleCount());
            for (int i = 0; i < t.length; i += 3) {
                int a = 3 * t[i];
                int b = 3 * t[i + 1];
                int c = 3 * t[i + 2];
                float[] n = Normals.face(p, a, b, c);
                out.putFloat(n[0]);
                out.putFloat(n[1]);
                out.putFloat(n[2]);
                for (int v : new int[] {a, b, c}) {
                    out.putFloat(p[v]);
                    out.putFloat(p[v + 1]);
                    out.putFloat(p[v + 2]);
                }
                out.putShort((short) 0);
            }
        }
    }
}
