package dev.meshpipe.common.kafka;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lets a job's progress reports through as events at a rate the events topic and the status
 * store can take: a few a second at most. Percentages are capped at 99, since only the job's
 * final state may say 100.
 */
public final class ProgressThrottle implements AutoCloseable {
    private static final long MIN_INTERVAL_NS = 250_000_000L;
    /** Sends a held step when its job outlives the hold; one daemon thread for every throttle. */
    private static final ScheduledExecutorService FLUSH = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meshpipe-progress-flush");
        t.setDaemon(true);
        return t;
    });

    /** Where the reports that pass go. */
    @FunctionalInterface
    public interface Sink {
        void send(int percent, String step);
    }

    private final Sink sink;
    private final boolean risingOnly;
    private String lastStep;
    private int lastPercent;
    private long lastAt;
    private long holdStart;
    private long holdNs;
    private String heldStep;
    private int heldPercent;
    private ScheduledFuture<?> flush;
    private boolean closed;

    private ProgressThrottle(Sink sink, boolean risingOnly, String step, long at) {
        this.sink = sink;
        this.risingOnly = risingOnly;
        this.lastStep = step;
        this.lastAt = at;
    }

    /**
     * Each new step at once, and within one at most every 250 ms, even at the same percentage:
     * a long step still shows that its job is alive.
     */
    public static ProgressThrottle perStep(Sink sink) {
        return new ProgressThrottle(sink, false, null, 0);
    }

    /**
     * As {@link #perStep}, but the steps of a job's first {@code hold} are held back: a job done
     * within it sends none (only its states, which do not pass through here), and one still running
     * when it ends sends its latest step then. A tiny job's half-dozen steps were each an event to
     * send, fold and store, more work than the job itself; nobody watches a 50 ms job step by step.
     * Call {@link #close} when the job is done, so a held step is never sent after it.
     */
    public static ProgressThrottle perStepHeld(Duration hold, Sink sink) {
        ProgressThrottle t = new ProgressThrottle(sink, false, null, 0);
        t.holdStart = System.nanoTime();
        t.holdNs = hold.toNanos();
        if (!hold.isZero()) {
            t.flush = FLUSH.schedule(t::flushHeld, hold.toNanos(), TimeUnit.NANOSECONDS);
        }
        return t;
    }

    /**
     * One step, started just now at 0%: at most every 250 ms, and only when the percentage rose,
     * for progress counted in small increments (bytes read).
     */
    public static ProgressThrottle rising(String step, Sink sink) {
        return new ProgressThrottle(sink, true, step, System.nanoTime());
    }

    /** Safe from several threads (the packager's compressing threads report together). */
    public synchronized void report(int percent, String step) {
        int capped = Math.min(99, percent);
        long now = System.nanoTime();
        if (closed) {
            return;
        }
        if (holdNs > 0 && now - holdStart < holdNs) {
            heldStep = step;
            heldPercent = capped;
            return;
        }
        boolean due = !step.equals(lastStep)
                || (now - lastAt > MIN_INTERVAL_NS && (capped > lastPercent || !risingOnly));
        if (due) {
            lastStep = step;
            lastPercent = capped;
            lastAt = now;
            sink.send(capped, step);
        }
    }

    private synchronized void flushHeld() {
        if (!closed && heldStep != null && !heldStep.equals(lastStep)) {
            lastStep = heldStep;
            lastPercent = heldPercent;
            lastAt = System.nanoTime();
            sink.send(heldPercent, heldStep);
        }
        heldStep = null;
    }

    /** The job is done: nothing more is sent, a held step included. */
    @Override
    public synchronized void close() {
        closed = true;
        if (flush != null) {
            flush.cancel(false);
        }
    }
}
