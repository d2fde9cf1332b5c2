package dev.meshpipe.common.kafka;

/**
 * Lets a job's progress reports through as events at a rate the events topic and the status
 * store can take: a few a second at most. Percentages are capped at 99, since only the job's
 * final state may say 100.
 */
public final class ProgressThrottle {
    private static final long MIN_INTERVAL_NS = 250_000_000L;

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
        boolean due = !step.equals(lastStep)
                || (now - lastAt > MIN_INTERVAL_NS && (capped > lastPercent || !risingOnly));
        if (due) {
            lastStep = step;
            lastPercent = capped;
            lastAt = now;
            sink.send(capped, step);
        }
    }
}
