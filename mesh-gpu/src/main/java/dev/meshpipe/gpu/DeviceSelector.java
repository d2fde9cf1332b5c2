package dev.meshpipe.gpu;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.MeshJob;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses where marching cubes runs: {@code cpu}; {@code gpu}, which fails clearly where there is
 * no usable GPU; or {@code auto}, the GPU when it works and otherwise the CPU, with one log line
 * saying why.
 */
public final class DeviceSelector {
    private static final Logger log = LoggerFactory.getLogger(DeviceSelector.class);

    private DeviceSelector() {}

    /** The chosen extractor and the device it names, for logs. */
    public record Choice(MeshJob.Extractor extractor, String device) {}

    public static MeshJob.Extractor select(String device, int cpuThreads) {
        return choose(device, cpuThreads, GpuMarchingCubes.OnError.CPU).extractor();
    }

    public static Choice choose(String device, int cpuThreads, GpuMarchingCubes.OnError onGpuError) {
        String d = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
        switch (d) {
            case "cpu":
                return new Choice(MeshJob.cpu(cpuThreads), "cpu (" + cpuThreads + " threads)");
            case "auto":
                try {
                    GpuMarchingCubes gpu = GpuMarchingCubes.open(cpuThreads, onGpuError, 0);
                    return new Choice(gpu, "gpu (" + gpu.deviceName() + ")");
                } catch (GpuUnavailableException e) {
                    log.info("marching cubes on the CPU ({} threads): {}", cpuThreads, e.getMessage());
                    return new Choice(MeshJob.cpu(cpuThreads), "cpu (" + cpuThreads + " threads)");
                }
            case "gpu":
                try {
                    GpuMarchingCubes gpu = GpuMarchingCubes.open(cpuThreads, onGpuError, 0);
                    return new Choice(gpu, "gpu (" + gpu.deviceName() + ")");
                } catch (GpuUnavailableException e) {
                    throw new MeshException(MeshError.GPU_ERROR, "device 'gpu' requested but there is no usable GPU: " + e.getMessage());
                }
            default:
                throw new MeshException(MeshError.INVALID_PARAMETER, "device must be auto, cpu or gpu, got '" + device + "'");
        }
    }
}
