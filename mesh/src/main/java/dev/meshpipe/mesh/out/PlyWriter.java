package dev.meshpipe.mesh.out;

import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.Mesh;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Binary little-endian PLY with float positions and int32 triangle indices. */
public final class PlyWriter {
    private PlyWriter() {}

    public static void write(Mesh mesh, OutputStream os) throws IOException {
        write(mesh, CoordinateSpace.RAS, os);
    }

    /** A comment names the frame as 3D Slicer writes and reads it ("comment SPACE=RAS"). */
    public static void write(Mesh mesh, CoordinateSpace space, OutputStream os) throws IOException {
        String header = "ply\nformat binary_little_endian 1.0\ncomment meshpipe, " + MeshWriters.frame(space) + "\n"
                + "element vertex " + mesh.vertexCount() + "\nproperty float x\nproperty float y\nproperty float z\n"
                + "element face " + mesh.triangleCount() + "\nproperty list uchar int vertex_indices\nend_header\n";
        try (LittleEndianOut out = new LittleEndianOut(os)) {
            out.put(header.getBytes(StandardCharsets.US_ASCII));
            for (float v : mesh.positions()) {
                out.putFloat(v);
            }
            int[] t = mesh.triangles();
            for (int i = 0; i < t.length; i += 3) {
                out.put((byte) 3);
                out.putInt(t[i]);
                out.putInt(t[i + 1]);
                out.putInt(t[i + 2]);
            }
        }
    }
}
