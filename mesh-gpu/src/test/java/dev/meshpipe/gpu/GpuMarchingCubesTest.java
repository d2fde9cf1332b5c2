package dev.meshpipe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Otsu;
import dev.meshpipe.mesh.RandomVolumes;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.MarchingCubes;
import dev.meshpipe.mesh.testing.Prerequisites;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real GPU against the CPU path. Runs only with {@code -Dgroups=gpu} on a machine with a GPU
 * (see docs/benchmarks.md, "GPU", for the command on a lent machine).
 */
@Tag("gpu")
class GpuMarchingCubesTest {

    static GpuMarchingCubes gpu;
    static GpuMarchingCubes slabbed;

    @BeforeAll
    static void open() {
        gpu = GpuMarchingCubes.open(4, GpuMarchingCubes.OnError.FAIL, 0);
        slabbed = GpuMarchingCubes.open(4, GpuMarchingCubes.OnError.FAIL, 5); // many slabs even on small volumes
    }

    static void assertSameAsCpu(GpuMarchingCubes g, Volume v, double iso, boolean closed) {
        assertSameAsCpu(g, v, iso, closed, false);
    }

    static void assertSameAsCpu(GpuMarchingCubes g, Volume v, double iso, boolean closed, boolean mayNeedMerging) {
        String what = v.description() + " iso " + iso + (closed ? " closed" : " open");
        GpuMarchingCubes.Timed t = g.extractTimed(v, iso, closed);
        if (!mayNeedMerging) {
            assertNotNull(t.mesh(), what + ": a vertex rounded onto a grid point");
        }
        if (t.mesh() == null) {
            // A vertex rounded onto a grid point (random samples do that now and then): the CPU's
            // fast path must see it too, and the job then runs on the CPU's merging path.
            assertNull(MarchingCubes.extractFast(v, iso, closed, 4), what + ": the GPU saw a vertex on a grid point, the CPU did not");
            return;
        }
        Mesh cpu = MarchingCubes.extract(v, iso, closed, 4);
        MeshComparison.assertSameMesh(cpu, t.mesh(), what);
        if (closed && cpu.triangleCount() > 0) {
            assertTrue(MeshQuality.of(t.mesh()).watertight(), what + ": closed mesh is not closed");
        }
    }

    @Test
    void syntheticVolumes() {
        for (String spec : new String[] {"sphere:64:20", "torus:96", "gyroid:80:3", "sphere:256:100", "sphere:30:20"}) {
            Volume v = SyntheticVolumes.create(spec, VolumeLimits.defaults());
            for (boolean closed : new boolean[] {true, false}) {
                assertSameAsCpu(gpu, v, 0, closed);
                assertSameAsCpu(slabbed, v, 0, closed);
            }
        }
    }

    @Test
    void realMriVolumes() throws Exception {
        for (String name : new String[] {"ch2.nii.gz", "ch2better.nii.gz"}) {
            Volume v = VolumeReader.read(Prerequisites.mri(name).toString(), VolumeLimits.defaults()).inGridSpace();
            double iso = Otsu.threshold(v.data());
            assertSameAsCpu(gpu, v, iso, true);
            assertSameAsCpu(slabbed, v, iso, false);
        }
    }

    @Test
    void freshRandomVolumes() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int trial = 0; trial < 40; trial++) {
            Volume v = RandomVolumes.of(r, 70, 40, 40, "random seed " + seed + " trial " + trial);
            assertSameAsCpu(r.nextBoolean() ? gpu : slabbed, v, 0.1, r.nextBoolean(), true);
        }
    }

    @Test
    void verticesOnGridPointsGoToTheCpuMergingPath() {
        float[] d = new float[27];
        d[13] = 1;
        Volume v = new Volume(3, 3, 3, d, new double[] {1, 1, 1}, Volume.identity(), true, 1, "snap");
        MeshJob.Extraction e = gpu.extract(v, 1, true);
        assertTrue(e.device().startsWith("cpu"), e.device());
        assertEquals(MarchingCubes.extract(v, 1, true, 1).triangleCount(), e.mesh().triangleCount());
    }

    @Test
    void theDeviceWorksAgainAfterAReset() {
        Volume v = SyntheticVolumes.create("sphere:48:16", VolumeLimits.defaults());
        synchronized (GpuDevice.open()) {
            GpuDevice.open().reset();
        }
        MeshJob.Extraction e = gpu.extract(v, 0, true);
        assertTrue(e.device().startsWith("gpu ("), e.device());
        assertSameAsCpu(gpu, v, 0, true);
    }
}
