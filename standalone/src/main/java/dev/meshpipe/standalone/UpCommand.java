package dev.meshpipe.standalone;

import dev.meshpipe.common.MeshpipeConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Runs the whole pipeline in this JVM (embedded Kafka, filesystem storage) and serves HTTP until stopped.")
final class UpCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "${env:MESHPIPE_HTTP_PORT:-8080}", description = "HTTP port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data", defaultValue = "./meshpipe-data", description = "data directory; reuse it to keep jobs and results (default ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--retention", defaultValue = "${env:MESHPIPE_RETENTION:-24h}", description = "how long results stay downloadable (default ${DEFAULT-VALUE})")
    String retention;

    @Option(names = "--device", defaultValue = "${env:MESHPIPE_DEVICE:-auto}", description = "auto, cpu or gpu (default ${DEFAULT-VALUE})")
    String device;

    @Override
    public Integer call() throws Exception {
        Stack stack = Stack.start(data, port, MeshpipeConfig.parseDuration(retention), device);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "meshpipe-shutdown"));
        System.out.println("meshpipe is up: " + stack.baseUrl() + "  (Kafka at " + stack.bootstrapServers() + ", data in " + data.toAbsolutePath() + ")");
        System.out.println("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }
}
