package dev.meshpipe.processor;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.MeshJob;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses where marching cubes runs: {@code auto}, {@code cpu} or {@code gpu}. */
public final class DeviceSelector {
    private static final Logger log = LoggerFactory.getLogger(DeviceSelector.class);

    private DeviceSelector() {}

    public static MeshJob.Extractor select(String device, int cpuThreads) {
        String d = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
        switch (d) {
            case "cpu":
                return MeshJob.cpu(cpuThreads);
            case "auto":
                log.info("marching cubes on the CPU ({} threads): this build has no GPU path yet", cpuThreads);
                return MeshJob.cpu(cpuThreads);
            case "gpu":
                throw new MeshpipeException(ErrorCode.GPU_ERROR, "device 'gpu' requested but this build has no GPU path yet");
            default:
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "device must be auto, cpu or gpu, got '" + device + "'");
        }
    }
}
