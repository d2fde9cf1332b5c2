package dev.meshpipe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.Otsu;
import dev.meshpipe.mesh.RandomVolumes;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.CaseTable;
import dev.meshpipe.mesh.mc.MarchingCubes;
import dev.meshpipe.mesh.testing.Prerequisites;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the CUDA kernels on the CPU (marching_cubes.cu compiled as C++ with a small shim that runs
 * a warp's lanes as coroutines, slab by slab as the host code does) and checks they give the CPU path's
 * mesh. This tests the kernels' logic on machines without a GPU; {@code GpuMarchingCubesTest}
 * runs the real thing where one exists.
 */
class KernelEmulationTest {
    @TempDir
    static Path dir;
    static Path emulator;

    @BeforeAll
    static void compile() throws Exception {
        emulator = dir.resolve("emulate");
        Prerequisites.program("g++", "g++");
        Process p = new ProcessBuilder("g++", "-O2", "-std=c++17", "-Wall", "-Werror", "-Wno-unknown-pragmas", "-o", emulator.toString(),
                "src/test/cuda/emulate.cpp").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "g++ failed:\n" + out);
        Files.writeString(dir.resolve("table.txt"), Arrays.stream(CaseTable.flattened()).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
    }

    @Test
    void syntheticVolumesBothBordersAndSlabSizes() throws Exception {
        for (String spec : new String[] {"sphere:40:15", "torus:48", "gyroid:40:2", "sphere:30:20"}) {
            Volume v = SyntheticVolumes.create(spec, VolumeLimits.defaults());
            for (boolean closed : new boolean[] {false, true}) {
                for (int slab : new int[] {1, 7, 1000}) {
                    assertSameAsCpu(v, 0, closed, slab);
                }
            }
        }
    }

    @Test
    void freshRandomVolumesWithNonFiniteSamples() throws Exception {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int trial = 0; trial < 30; trial++) {
            Volume v = RandomVolumes.of(r, 40, 12, 12, "random seed " + seed + " trial " + trial);
            assertSameAsCpu(v, 0.1, r.nextBoolean(), 1 + r.nextInt(v.nz() + 2));
        }
    }

    @Test
    void realMriVolume() throws Exception {
        Volume v = VolumeReader.read(Prerequisites.mri("ch2.nii.gz").toString(), VolumeLimits.defaults()).inGridSpace();
        double iso = Otsu.threshold(v.data());
        assertSameAsCpu(v, iso, true, 16);
        assertSameAsCpu(v, iso, false, 1000);
    }

    @Test
    void reportsVerticesThatRoundOntoGridPoints() throws Exception {
        float[] d = new float[27];
        d[13] = 1; // the centre sample equals the isovalue: every crossing lands on it
        Volume v = new Volume(3, 3, 3, d, new double[] {1, 1, 1}, Volume.identity(), true, 1, "snap");
        assertTrue(emulate(v, 1, true, 100).snapped());
    }

    private static void assertSameAsCpu(Volume v, double iso, boolean closed, int slabCells) throws Exception {
        String what = v.description() + " iso " + iso + (closed ? " closed" : " open") + " slab " + slabCells;
        Emulated gpu = emulate(v, iso, closed, slabCells);
        assertEquals(false, gpu.snapped(), what + ": snapped");
        MeshComparison.assertSameMesh(MarchingCubes.extract(v, iso, closed, 1), gpu.mesh(), what);
    }

    record Emulated(boolean snapped, Mesh mesh) {}

    private static Emulated emulate(Volume v, double iso, boolean closed, int slabCells) throws Exception {
        Path volume = dir.resolve("volume.f32");
        ByteBuffer b = ByteBuffer.allocate(4 * v.data().length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v.data());
        Files.write(volume, b.array());
        Path table = dir.resolve("table.txt");
        Path out = dir.resolve("mesh.bin");
        double[] s = v.spacing();
        Process p = new ProcessBuilder(emulator.toString(), volume.toString(), "" + v.nx(), "" + v.ny(), "" + v.nz(),
                Double.toString(s[0]), Double.toString(s[1]), Double.toString(s[2]), Double.toString(iso),
                v.objectAbove() ? "1" : "0", closed ? "1" : "0", "" + slabCells, table.toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "emulator failed: " + log);
        return read(out);
    }

    private static Emulated read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            ByteBuffer b = ByteBuffer.wrap(new DataInputStream(in).readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            boolean snapped = b.getInt() != 0;
            int nv = Math.toIntExact(b.getLong());
            int nt = Math.toIntExact(b.getLong());
            float[] positions = new float[3 * nv];
            b.asFloatBuffer().get(positions);
            b.position(b.position() + 12 * nv);
            int[] triangles = new int[3 * nt];
            b.asIntBuffer().get(triangles);
            return new Emulated(snapped, new Mesh(positions, triangles));
        }
    }
}
