package dev.meshpipe.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Counts that VTK 9.1's vtkMarchingCubes gives on the same volumes and isovalues, recorded with
 * ../shared/peers/peers.py (see docs/benchmarks.md). Real MRI volumes come from Debian's
 * mricron-data; CI installs it.
 */
class PeerParityTest {
    static final Path CH2 = Path.of("/usr/share/mricron/templates/ch2.nii.gz");

    @Test
    void ch2AtOtsuMatchesVtk() throws Exception {
        assumeTrue(Files.exists(CH2), "mricron-data is not installed");
        Volume v = VolumeReader.read(CH2.toString(), VolumeLimits.defaults());
        double iso = Otsu.threshold(v.data());
        assertEquals(49.11328125, iso, 0.0);
        Mesh m = MarchingCubes.extract(v.inGridSpace(), iso, false, 2);
        MeshQuality q = MeshQuality.of(m);
        assertEquals(711769, m.vertexCount());
        assertEquals(1417638, m.triangleCount());
        assertEquals(3082, q.boundaryEdges());
    }
}
