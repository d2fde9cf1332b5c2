package dev.meshpipe.mesh;

import java.util.Random;

/** Fresh random volumes for tests that compare two marching-cubes paths. */
public final class RandomVolumes {
    private RandomVolumes() {}

    /**
     * Dims 1..max per axis; samples uniform in [-1, 1), about one in 50 NaN or ±infinity; spacing
     * 0.5..1.5 per axis; the object above or below the isovalue at random; default isovalue 0.1.
     */
    public static Volume of(Random r, int maxX, int maxY, int maxZ, String description) {
        int nx = 1 + r.nextInt(maxX), ny = 1 + r.nextInt(maxY), nz = 1 + r.nextInt(maxZ);
        float[] d = new float[nx * ny * nz];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextFloat() * 2 - 1;
            if (r.nextInt(50) == 0) {
                d[i] = r.nextBoolean() ? Float.NaN : (r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY);
            }
        }
        double[] spacing = {0.5 + r.nextDouble(), 0.5 + r.nextDouble(), 0.5 + r.nextDouble()};
        return new Volume(nx, ny, nz, d, spacing, Volume.identity(), r.nextBoolean(), 0.1, description);
    }
}
