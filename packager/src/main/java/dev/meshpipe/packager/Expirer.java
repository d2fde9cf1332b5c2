package dev.meshpipe.packager;

import dev.meshpipe.common.JobId;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.store.ObjectInfo;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.common.store.ObjectStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes results past their retention and announces it (EXPIRED), deletes inputs and stray
 * intermediate files past theirs, and the temporary files of writes a crash interrupted (at start
 * and on every pass). The object store's own timestamps are the durable state, so
 * expiry survives restarts and needs no timer that a crash could lose; deleting twice and
 * announcing twice are both harmless, so several packagers may run it.
 */
public final class Expirer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Expirer.class);
    /**
     * How long a temporary file of an unfinished write must have gone untouched before a sweep
     * deletes it: far above the gateway's idle timeout and any pause of a live writer, so only
     * what a crash left is removed.
     */
    public static final Duration ABANDONED_WRITE_GRACE = Duration.ofHours(1);

    private final ObjectStore store;
    private final java.util.function.Consumer<JobEvent> announce;
    private final Duration resultRetention;
    private final Duration inputRetention;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "expirer");
        t.setDaemon(true);
        return t;
    });

    public Expirer(ObjectStore store, java.util.function.Consumer<JobEvent> announce, Duration resultRetention, Duration inputRetention, Clock clock) {
        this.store = store;
        this.announce = announce;
        this.resultRetention = resultRetention;
        this.inputRetention = inputRetention;
        this.clock = clock;
    }

    public void start(Duration every) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (IOException | RuntimeException e) {
                log.warn("expiry sweep failed, will try again: {}", e.toString());
            }
        }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass over the store; returns how many results expired. */
    public int sweep() throws IOException {
        Instant now = clock.instant();
        int expired = 0;
        for (ObjectInfo o : store.list("results/")) {
            String name = o.key().substring("results/".length());
            if (!name.endsWith(".zip") || o.lastModified().plus(resultRetention).isAfter(now)) {
                continue;
            }
            String id = name.substring(0, name.length() - 4);
            if (!JobId.isValid(id)) {
                continue;
            }
            store.delete(ObjectKeys.preview(id));
            store.delete(ObjectKeys.viewerGlb(id));
            store.delete(ObjectKeys.quality(id));
            store.delete(o.key());
            announce.accept(JobEvent.of(id, JobState.EXPIRED, 100, "expired"));
            log.info("result of job {} expired", id);
            expired++;
        }
        int abandoned = store.deleteAbandonedWrites(now.minus(ABANDONED_WRITE_GRACE));
        if (abandoned > 0) {
            log.info("deleted {} temporary file(s) left by writes that never finished", abandoned);
        }
        for (String prefix : new String[] {"inputs/", "work/", "cancelled/", "completing/"}) {
            for (ObjectInfo o : store.list(prefix)) {
                if (o.lastModified().plus(inputRetention).isBefore(now)) {
                    store.delete(o.key());
                }
            }
        }
        return expired;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
