package dev.meshpipe.standalone;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.common.store.ObjectStores;
import dev.meshpipe.gateway.GatewayOptions;
import dev.meshpipe.gateway.GatewayService;
import dev.meshpipe.ingest.IngestService;
import dev.meshpipe.packager.PackagerService;
import dev.meshpipe.processor.ProcessorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "service", mixinStandardHelpOptions = true,
        description = "Runs one service against an external Kafka cluster and object store, configured by "
                + "MESHPIPE_* environment variables (docs/configuration.md).")
final class ServiceCommand implements Callable<Integer> {
    enum Name { ingest, processor, packager, gateway }

    @Parameters(index = "0", description = "ingest, processor, packager or gateway")
    Name name;

    @Override
    public Integer call() throws Exception {
        MeshpipeConfig config = MeshpipeConfig.fromEnv();
        if (config.createTopics()) {
            Topics.create(config.bootstrapServers(), config.partitions(), config.replication());
        }
        ObjectStore store = ObjectStores.open(config.storage());
        AutoCloseable service = switch (name) {
            case ingest -> { IngestService s = new IngestService(config, store); s.start(); yield s; }
            case processor -> { ProcessorService s = new ProcessorService(config, store); s.start(); yield s; }
            case packager -> { PackagerService s = new PackagerService(config, store); s.start(); yield s; }
            case gateway -> { GatewayService s = new GatewayService(config, GatewayOptions.fromEnv(MeshpipeConfig.environment()), store); s.start(); yield s; }
        };
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
                store.close();
            } catch (Exception ignored) {
                // exiting anyway
            }
            stopped.countDown();
        }, "meshpipe-shutdown"));
        stopped.await();
        return 0;
    }
}
