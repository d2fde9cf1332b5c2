package dev.meshpipe.standalone;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.gateway.GatewayOptions;
import dev.meshpipe.gateway.GatewayService;
import dev.meshpipe.ingest.IngestService;
import dev.meshpipe.packager.PackagerService;
import dev.meshpipe.processor.ProcessorService;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The four services against one Kafka cluster and object store, started and stopped together. */
public final class Pipeline implements AutoCloseable {
    private final List<AutoCloseable> running = new ArrayList<>();
    private GatewayService gateway;

    public static Pipeline start(MeshpipeConfig config, ObjectStore store) {
        return start(config, GatewayOptions.fromEnv(MeshpipeConfig.environment()), store);
    }

    public static Pipeline start(MeshpipeConfig config, GatewayOptions gatewayOptions, ObjectStore store) {
        Pipeline p = new Pipeline();
        try {
            IngestService ingest = new IngestService(config, store);
            ingest.start();
            p.running.add(ingest);
            ProcessorService processor = new ProcessorService(config, store);
            processor.start();
            p.running.add(processor);
            PackagerService packager = new PackagerService(config, store);
            packager.start();
            p.running.add(packager);
            p.gateway = new GatewayService(config, gatewayOptions, store);
            p.gateway.start();
            p.running.add(p.gateway);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    public GatewayService gateway() {
        return gateway;
    }

    /** Waits until the gateway's status store is queryable. */
    public void awaitReady(long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!gateway.ready()) {
            if (System.currentTimeMillis() > end) {
                throw new IllegalStateException("the gateway did not become ready within " + timeoutMs + " ms");
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        List<AutoCloseable> reversed = new ArrayList<>(running);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Pipeline.class).warn("error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
        running.clear();
    }
}
