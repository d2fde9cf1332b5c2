package dev.meshpipe.mesh.out;

/** Face and vertex normals. */
final class Normals {
    private Normals() {}

    /** The unit normal of the triangle at position offsets a, b, c; zero for a degenerate one. */
    static float[] face(float[] p, int a, int b, int c) {
        double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
        double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
        double nx = uy * vz - uz * vy;
        double ny = uz * vx - ux * vz;
        double nz = ux * vy - uy * vx;
        double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
        if (len == 0) {
            return new float[3];
        }
        return new float[] {(float) (nx / len), (float) (ny / len), (float) (nz / len)};
    }

    /** Area-weighted vertex normals, unit length; a vertex with no area gets +z. */
    static float[] vertex(float[] p, int[] t) {
        double[] acc = new double[p.length];
        for (int i = 0; i < t.length; i += 3) {
            int a = 3 * t[i];
            int b = 3 * t[i + 1];
            int c = 3 * t[i + 2];
            double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
            double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
            double nx = uy * vz - uz * vy;
            double ny = uz * vx - ux * vz;
            double nz = ux * vy - uy * vx;
            for (int v : new int[] {a, b, c}) {
                acc[v] += nx;
                acc[v + 1] += ny;
                acc[v + 2] += nz;
            }
        }
        float[] out = new float[p.length];
        for (int v = 0; v < p.length; v += 3) {
            double len = Math.sqrt(acc[v] * acc[v] + acc[v + 1] * acc[v + 1] + acc[v + 2] * acc[v + 2]);
            if (len == 0 || !Double.isFinite(len)) {
                out[v + 2] = 1;
                continue;
            }
            out[v] = (float) (acc[v] / len);
            out[v + 1] = (float) (acc[v + 1] / len);
            out[v + 2] = (float) (acc[v + 2] / len);
        }
        return out;
    }
}
