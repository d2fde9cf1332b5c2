package dev.meshpipe.mesh.out;

import dev.meshpipe.common.events.MeshFormat;
import dev.meshpipe.mesh.Mesh;
import java.io.IOException;
import java.io.OutputStream;

public final class MeshWriters {
    private MeshWriters() {}

    public static void write(MeshFormat format, Mesh mesh, OutputStream out) throws IOException {
        switch (format) {
            case STL -> StlWriter.write(mesh, out);
            case PLY -> PlyWriter.write(mesh, out);
            case OBJ -> ObjWriter.write(mesh, out);
            case GLB -> GlbWriter.write(mesh, out);
        }
    }
}
