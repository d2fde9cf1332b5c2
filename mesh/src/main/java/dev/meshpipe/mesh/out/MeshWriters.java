package dev.meshpipe.mesh.out;

import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshFormat;
import java.io.IOException;
import java.io.OutputStream;

public final class MeshWriters {
    private MeshWriters() {}

    public static void write(MeshFormat format, Mesh mesh, OutputStream out) throws IOException {
        write(format, mesh, null, CoordinateSpace.RAS, out);
    }

    /**
     * @param name  the 3MF object's name ("surface" when null)
     * @param space what {@code mesh}'s coordinates are in, for the files' headers; GLB ignores it,
     *              its node transform expects RAS (MeshJob hands it the RAS mesh)
     */
    public static void write(MeshFormat format, Mesh mesh, String name, CoordinateSpace space, OutputStream out) throws IOException {
        write(format, mesh, name, space, out, 1);
    }

    /**
     * As {@link #write(MeshFormat, Mesh, String, CoordinateSpace, OutputStream)}, a 3MF deflated on
     * {@code threads} (its bytes do not depend on them); the other formats are not compressed and
     * are written on the caller's thread.
     */
    public static void write(MeshFormat format, Mesh mesh, String name, CoordinateSpace space, OutputStream out, int threads)
            throws IOException {
        switch (format) {
            case STL -> StlWriter.write(mesh, space, out);
            case PLY -> PlyWriter.write(mesh, space, out);
            case OBJ -> ObjWriter.write(mesh, space, out);
            case GLB -> GlbWriter.write(mesh, out);
            case THREE_MF -> ThreeMfWriter.write(mesh, name, space, out, threads);
        }
    }

    /** The header words for a frame: "SPACE=RAS, units: millimetres", the tag 3D Slicer looks for. */
    static String frame(CoordinateSpace space) {
        return space == CoordinateSpace.GRID
                ? "grid space (voxel index times spacing), units: millimetres"
                : space.headerTag() + ", units: millimetres";
    }
}
