package dev.meshpipe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import org.junit.jupiter.api.Test;

/**
 * Device selection answers the same way on every machine: {@code auto} takes the GPU when one
 * works and the CPU otherwise; {@code gpu} without one fails with GPU_ERROR and the reason. On
 * machines without a CUDA driver (CI) this runs the fallback; on a GPU machine, the GPU choice.
 */
class DeviceFallbackTest {

    private static String unavailableReason() {
        try {
            GpuDevice.open();
            return null;
        } catch (GpuUnavailableException e) {
            return e.getMessage();
        }
    }

    @Test
    void autoFallsBackToTheCpuAndGpuFailsClearly() {
        String reason = unavailableReason();
        DeviceSelector.Choice auto = DeviceSelector.choose("auto", 2, GpuMarchingCubes.OnError.CPU);
        Volume v = SyntheticVolumes.create("sphere:24:8", VolumeLimits.defaults());
        MeshJob.Extraction e = auto.extractor().extract(v, 0, true);
        assertTrue(e.mesh().triangleCount() > 0);
        if (reason == null) {
            assertTrue(auto.device().startsWith("gpu ("), auto.device());
            assertTrue(e.device().startsWith("gpu ("), e.device());
            return;
        }
        assertEquals("cpu (2 threads)", auto.device());
        assertEquals("cpu", e.device());
        MeshException gpu = assertThrows(MeshException.class,
                () -> DeviceSelector.choose("gpu", 2, GpuMarchingCubes.OnError.CPU));
        assertEquals(MeshError.GPU_ERROR, gpu.code());
        assertTrue(gpu.getMessage().contains(reason), gpu.getMessage());
        // The second touch of a missing driver is a different LinkageError; the answer stays the same.
        assertEquals(reason, unavailableReason());
    }

    @Test
    void unknownDeviceAndErrorModeAreRejected() {
        assertEquals(MeshError.INVALID_PARAMETER,
                assertThrows(MeshException.class, () -> DeviceSelector.choose("tpu", 1, GpuMarchingCubes.OnError.CPU)).code());
        assertEquals(MeshError.INVALID_PARAMETER, assertThrows(MeshException.class, () -> GpuMarchingCubes.OnError.parse("retry")).code());
        assertEquals(GpuMarchingCubes.OnError.FAIL, GpuMarchingCubes.OnError.parse(" FAIL "));
        assertEquals(GpuMarchingCubes.OnError.CPU, GpuMarchingCubes.OnError.parse(null));
    }
}
