package dev.meshpipe.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.MarchingCubes;
import dev.meshpipe.mesh.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Counts that VTK 9.1's vtkMarchingCubes gives on the same volumes and isovalues, recorded with
 * ../shared/peers/peers.py (see docs/benchmarks.md). Real MRI volumes come from Debian's
 * mricron-data; CI installs it.
 */
class PeerParityTest {
    static final Path CH2 = Prerequisites.MRI_TEMPLATES.resolve("ch2.nii.gz");

    @Test
    void ch2AtOtsuMatchesVtk() throws Exception {
        Prerequisites.mri("ch2.nii.gz");
        Volume v = VolumeReader.read(CH2.toString(), VolumeLimits.defaults());
        double iso = Otsu.threshold(v.data());
        assertEquals(49.11328125, iso, 0.0);
        Mesh m = MarchingCubes.extract(v.inGridSpace(), iso, false, 2);
        MeshQuality q = MeshQuality.of(m);
        assertEquals(711769, m.vertexCount());
        assertEquals(1417638, m.triangleCount());
        assertEquals(3082, q.boundaryEdges());
        assertEquals("2380be903cc70a2d802937c9526625351a36caeba2d3725f3dcd17c641a9b4be", sortedVertexHash(m));
    }

    @Test
    void sphereMatchesVtk() {
        Volume v = dev.meshpipe.mesh.io.SyntheticVolumes.create("sphere:128:50", VolumeLimits.defaults());
        Mesh m = MarchingCubes.extract(v, 0, false, 2);
        assertEquals(47160, m.vertexCount());
        assertEquals(94316, m.triangleCount());
        assertEquals("68c6ba2412e1698c092b56fbe14a5e0cdb83cbfda7e7d7817c493b7f0db11354", sortedVertexHash(m));
    }

    /**
     * SHA-256 of the vertex positions as little-endian float32, sorted by x, then y, then z: the
     * same digest of vtkMarchingCubes' output was recorded with ../shared/peers (see
     * docs/benchmarks.md), so equal digests mean the very same vertices.
     */
    static String sortedVertexHash(Mesh m) {
        float[] p = m.positions();
        Integer[] order = new Integer[m.vertexCount()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> {
            int c = Float.compare(p[3 * a], p[3 * b]);
            if (c == 0) {
                c = Float.compare(p[3 * a + 1], p[3 * b + 1]);
            }
            return c != 0 ? c : Float.compare(p[3 * a + 2], p[3 * b + 2]);
        });
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(p.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i : order) {
            bb.putFloat(p[3 * i]).putFloat(p[3 * i + 1]).putFloat(p[3 * i + 2]);
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bb.array()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
