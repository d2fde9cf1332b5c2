package dev.meshpipe.mesh.mc;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;

/**
 * The grid every marching-cubes path walks (row, slab and GPU): the volume's samples and, with
 * closed borders, one layer of outside samples around them, so the surface is capped at the edge.
 *
 * @param pad    1 with closed borders (the outside layer), else 0
 * @param gx     grid points along x, the padding included (likewise gy, gz)
 * @param isoF   the least float at or above the isovalue: {@code v >= iso} exactly when {@code v >= isoF}
 * @param objectAbove whether the object is the samples above the isovalue (else below)
 */
public record Grid(int nx, int ny, int nz, int pad, int gx, int gy, int gz, float isoF, boolean objectAbove) {
    /** Java arrays hold a little under 2^31 elements; a mesh's float and int arrays must fit. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    public static Grid of(Volume v, double iso, boolean closed) {
        int o = closed ? 1 : 0;
        float f = (float) iso;
        return new Grid(v.nx(), v.ny(), v.nz(), o, v.nx() + 2 * o, v.ny() + 2 * o, v.nz() + 2 * o,
                (double) f < iso ? Math.nextUp(f) : f, v.objectAbove());
    }

    /** False for a grid too thin to hold one cell, whose surface is empty. */
    public boolean hasCells() {
        return gx >= 2 && gy >= 2 && gz >= 2;
    }

    /** Refuses a mesh whose positions (3 floats a vertex) or corners (3 ints a triangle) do not fit arrays. */
    public static void requireMeshFits(long vertices, long triangles) {
        if (3 * vertices > MAX_ARRAY || 3 * triangles > MAX_ARRAY) {
            throw tooLarge();
        }
    }

    public static MeshException tooLarge() {
        return new MeshException(MeshError.VOLUME_TOO_LARGE, "the surface has more triangles than one mesh can hold;"
                + " use a coarser volume or another isovalue");
    }
}
