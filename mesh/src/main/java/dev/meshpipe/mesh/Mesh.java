package dev.meshpipe.mesh;

/**
 * An indexed triangle mesh: {@code positions} holds x, y, z per vertex, {@code triangles} three
 * vertex indices per triangle, wound counter-clockwise seen from outside.
 */
public record Mesh(float[] positions, int[] triangles) {

    public int vertexCount() {
        return positions.length / 3;
    }

    public int triangleCount() {
        return triangles.length / 3;
    }

    public static Mesh empty() {
        return new Mesh(new float[0], new int[0]);
    }

    /**
     * RAS to LPS (or back): x and y negated. That is a half turn about z (determinant +1), not a
     * mirror, so the winding and the outward normals stay as they are.
     */
    public Mesh swapRasLps() {
        return transformed(new double[] {-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
    }

    /**
     * Applies a 4x4 row-major affine to every vertex; flips the winding when the affine mirrors
     * (negative determinant) so normals stay outward.
     */
    public Mesh transformed(double[] m) {
        boolean identity = true;
        double[] id = Volume.identity();
        for (int i = 0; i < 16; i++) {
            identity &= m[i] == id[i];
        }
        if (identity) {
            return this;
        }
        float[] p = new float[positions.length];
        for (int v = 0; v < p.length; v += 3) {
            double x = positions[v];
            double y = positions[v + 1];
            double z = positions[v + 2];
            p[v] = (float) (m[0] * x + m[1] * y + m[2] * z + m[3]);
            p[v + 1] = (float) (m[4] * x + m[5] * y + m[6] * z + m[7]);
            p[v + 2] = (float) (m[8] * x + m[9] * y + m[10] * z + m[11]);
        }
        double det = m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]);
        int[] t = triangles;
        if (det < 0) {
            t = triangles.clone();
            for (int i = 0; i < t.length; i += 3) {
                int s = t[i + 1];
                t[i + 1] = t[i + 2];
                t[i + 2] = s;
            }
        }
        return new Mesh(p, t);
    }
}
