package dev.meshpipe.processor;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.kafka.EventPublisher;
import dev.meshpipe.common.kafka.TransactionalWorker;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.gpu.DeviceSelector;
import dev.meshpipe.gpu.GpuMarchingCubes;
import dev.meshpipe.mesh.VolumeLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor service: {@code processorThreads} workers in the consumer group
 * {@value #GROUP_ID}, each meshing one task at a time and committing its meshed event and
 * offset in one transaction. More workers or more processes spread the tasks' partitions.
 */
public final class ProcessorService implements AutoCloseable {
    public static final String GROUP_ID = "meshpipe-processor";
    private static final Logger log = LoggerFactory.getLogger(ProcessorService.class);

    private final MeshpipeConfig config;
    private final EventPublisher events;
    private final List<TransactionalWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final DeviceSelector.Choice device;
    private final ObjectStore store;

    public ProcessorService(MeshpipeConfig config, ObjectStore store) {
        this.config = config;
        this.store = store;
        this.events = new EventPublisher(config.bootstrapServers(), "meshpipe-processor-events-" + config.instanceId());
        this.device = DeviceSelector.choose(config.device(), Runtime.getRuntime().availableProcessors(),
                GpuMarchingCubes.OnError.parse(config.gpuErrors()));
    }

    public void start() {
        VolumeLimits limits = config.volumeLimits();
        for (int i = 0; i < Math.max(1, config.processorThreads()); i++) {
            var settings = new TransactionalWorker.Settings(config.bootstrapServers(), GROUP_ID, Topics.TASKS,
                    "meshpipe-processor-" + config.instanceId() + "-" + i, Duration.ofMinutes(30), config.storageRetries(), config.storageBackoff());
            TransactionalWorker w = new TransactionalWorker(settings, new MeshTaskHandler(store, events, device, limits, config.faultHaltOn()));
            Thread t = new Thread(w, "processor-" + i);
            workers.add(w);
            threads.add(t);
            t.start();
        }
        log.info("processor started with {} worker(s) on {}", workers.size(), device.device());
    }

    @Override
    public void close() {
        workers.forEach(TransactionalWorker::close);
        for (Thread t : threads) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        events.close();
    }
}
