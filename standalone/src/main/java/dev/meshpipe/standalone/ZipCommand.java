package dev.meshpipe.standalone;

import dev.meshpipe.common.JobId;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.store.DigestingOutputStream;
import dev.meshpipe.packager.ZipPackager;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "zip", mixinStandardHelpOptions = true,
        description = "Packages the files of DIR exactly as the packager packages a job's outputs, and reports the time taken, "
                + "the ZIP's size and sha256, and the JVM's peak heap (for benchmarks and memory checks).")
final class ZipCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR")
    Path dir;

    @Option(names = "--out", required = true, description = "the ZIP to write")
    Path out;

    @Option(names = "--job-id", defaultValue = "job", description = "top folder name inside the ZIP (default ${DEFAULT-VALUE})")
    String jobId;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            System.err.println("meshpipe: " + dir + ": not a directory");
            return 2;
        }
        JobId.require(jobId);
        long t0 = System.nanoTime();
        DigestingOutputStream digest;
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
            digest = new DigestingOutputStream(file);
            ZipPackager.writeDirectory(dir, jobId, digest);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("zip", out.toAbsolutePath().toString());
        r.put("bytes", digest.size());
        r.put("sha256", digest.sha256());
        r.put("ms", ms);
        r.put("peakHeapBytes", peak);
        r.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        System.out.println(Json.string(r));
        return 0;
    }
}
