package dev.meshpipe.packager;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.kafka.CommittedKeys;
import dev.meshpipe.common.kafka.EventPublisher;
import dev.meshpipe.common.kafka.TransactionalWorker;
import dev.meshpipe.common.store.ObjectStore;
import java.time.Duration;

/**
 * The packager service: one worker in the consumer group {@value #GROUP_ID} that turns meshed
 * jobs into ZIPs and commits the completion record, the SUCCEEDED event and its offset in one
 * transaction.
 */
public final class PackagerService implements AutoCloseable {
    public static final String GROUP_ID = "meshpipe-packager";

    private final EventPublisher events;
    private final TransactionalWorker worker;
    private final Thread thread;
    private final Expirer expirer;

    private final MeshpipeConfig config;

    public PackagerService(MeshpipeConfig config, ObjectStore store) {
        this.config = config;
        this.events = new EventPublisher(config.bootstrapServers(), "meshpipe-packager-events-" + config.instanceId());
        var settings = new TransactionalWorker.Settings(config.bootstrapServers(), GROUP_ID, Topics.MESHED,
                "meshpipe-packager-" + config.instanceId(), Duration.ofMinutes(10), config.storageRetries(), config.storageBackoff());
        this.worker = new TransactionalWorker(settings, new PackageHandler(store, events::publish, config.retention(),
                new CommittedKeys(config.bootstrapServers(), Topics.COMPLETED, Duration.ofSeconds(30))::contains));
        this.thread = new Thread(worker, "packager");
        this.expirer = new Expirer(store, events::publish, config.retention(), config.inputRetention(), java.time.Clock.systemUTC());
    }

    public void start() {
        thread.start();
        Duration every = config.retention().compareTo(Duration.ofMinutes(10)) < 0 ? Duration.ofSeconds(1) : Duration.ofMinutes(1);
        expirer.start(every);
    }

    @Override
    public void close() {
        expirer.close();
        worker.close();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.close();
    }
}
