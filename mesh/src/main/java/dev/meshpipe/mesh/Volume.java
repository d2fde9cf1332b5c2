package dev.meshpipe.mesh;

/**
 * A scalar volume on a regular grid, x fastest: {@code data[x + nx * (y + ny * z)]}.
 *
 * <p>Marching cubes works in grid space (index times spacing, as VTK does); {@link #gridToWorld}
 * then places the mesh in world millimetres.
 *
 * @param spacing      voxel size along x, y, z (mm)
 * @param gridToWorld  4x4 row-major affine from grid space (index * spacing) to world space
 * @param objectAbove  true when the object is where values are at or above the isovalue (scans);
 *                     false when it is below (signed-distance fields, negative inside)
 * @param defaultIso   the isovalue used when a job names none; NaN means Otsu's threshold
 * @param description  for logs and quality.json, e.g. "NIfTI-1 int16 181x217x181"
 */
public record Volume(int nx, int ny, int nz, float[] data, double[] spacing, double[] gridToWorld,
                     boolean objectAbove, double defaultIso, String description) {

    public Volume {
        if ((long) nx * ny * nz != data.length) {
            throw new IllegalArgumentException("dims " + nx + "x" + ny + "x" + nz + " do not match " + data.length + " samples");
        }
    }

    public long voxelCount() {
        return (long) nx * ny * nz;
    }

    public static double[] identity() {
        return new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    }

    /** A volume with the same samples placed at grid space (no rotation, no origin): VTK's convention. */
    public Volume inGridSpace() {
        return new Volume(nx, ny, nz, data, spacing, identity(), objectAbove, defaultIso, description);
    }

}
