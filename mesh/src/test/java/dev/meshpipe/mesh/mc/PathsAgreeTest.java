package dev.meshpipe.mesh.mc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.RandomVolumes;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.io.VolumeReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast row path and the general slab path give the same mesh wherever the fast one applies. */
class PathsAgreeTest {

    static void assertSameMesh(Volume v, double iso, boolean closed, int threads) {
        Mesh fast = MarchingCubes.extractFast(v, iso, closed, threads);
        assertNotNull(fast, "fast path declined " + v.description());
        Mesh general = MarchingCubes.extractGeneral(v, iso, closed, threads);
        assertEquals(general.vertexCount(), fast.vertexCount(), v.description());
        assertEquals(general.triangleCount(), fast.triangleCount(), v.description());
        assertEquals(triangleSet(general), triangleSet(fast), v.description());
    }

    /** Oriented triangles by vertex position, each rotated to start at its smallest corner. */
    static Map<String, Integer> triangleSet(Mesh m) {
        float[] p = m.positions();
        int[] t = m.triangles();
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < t.length; i += 3) {
            String[] c = new String[3];
            for (int q = 0; q < 3; q++) {
                int v = 3 * t[i + q];
                c[q] = p[v] + "," + p[v + 1] + "," + p[v + 2];
            }
            int s = 0;
            for (int q = 1; q < 3; q++) {
                if (c[q].compareTo(c[s]) < 0) {
                    s = q;
                }
            }
            out.merge(c[s] + "|" + c[(s + 1) % 3] + "|" + c[(s + 2) % 3], 1, Integer::sum);
        }
        return out;
    }

    @Test
    void syntheticVolumesBothBorders() {
        for (String spec : new String[] {"sphere:40:15", "torus:48", "gyroid:40:2", "sphere:30:20"}) {
            Volume v = SyntheticVolumes.create(spec, VolumeLimits.defaults());
            for (boolean closed : new boolean[] {false, true}) {
                for (int threads : new int[] {1, 3}) {
                    assertSameMesh(v, 0, closed, threads);
                }
            }
        }
    }

    @Test
    void freshRandomVolumesWithNonFiniteSamples() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int trial = 0; trial < 20; trial++) {
            Volume v = RandomVolumes.of(r, 12, 12, 12, "random seed " + seed + " trial " + trial);
            assertSameMesh(v, 0.1, r.nextBoolean(), 1 + r.nextInt(3));
        }
    }

    @Test
    void anIsovalueOnTheSamplesFallsBackToTheMergingPath() {
        float[] d = {0, 1, 1, 0, 0, 1, 1, 0};
        Volume v = new Volume(2, 2, 2, d, new double[] {1, 1, 1}, Volume.identity(), true, 1, "binary");
        assertNull(MarchingCubes.extractFast(v, 1.0, false, 1));
        assertEquals(MarchingCubes.extractGeneral(v, 1.0, false, 1).triangleCount(), MarchingCubes.extract(v, 1.0, false, 1).triangleCount());
    }

    @Test
    void ch2BothBorders() throws Exception {
        Path ch2 = dev.meshpipe.mesh.testing.Prerequisites.mri("ch2.nii.gz");
        Volume v = VolumeReader.read(ch2.toString(), VolumeLimits.defaults()).inGridSpace();
        assertSameMesh(v, 49.11328125, false, 2);
        assertSameMesh(v, 49.11328125, true, 2);
    }
}
