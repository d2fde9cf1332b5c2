package dev.meshpipe.common.store;

import java.io.IOException;

/**
 * Decides a cancel that races the packager's completion, with two markers in object storage:
 * each side writes its own marker, then looks for the other's. Storage reads see every write that
 * finished before them (the file store, and S3 since its strong consistency), so whichever side
 * looks second sees the first side's marker. Hence never both "the cancel wins here" and "the
 * packager completes": a cancel that finds the packager's marker leaves the decision to the
 * packager, and the packager cancels the job itself when it finds the cancel's marker. The
 * decision is then the one the packager's transaction commits (see docs/architecture.md, "Cancel
 * versus completion").
 */
public final class Cancellation {
    private static final byte[] EMPTY = new byte[0];

    private Cancellation() {}

    /**
     * The gateway's side. Returns true when the cancel wins at once (the gateway then announces
     * CANCELLED; the packager is sure to see the marker), false when the packager may already have
     * decided to complete the job: the packager's outcome is then the job's.
     */
    public static boolean request(ObjectStore store, String jobId) throws IOException {
        store.put(ObjectKeys.cancelled(jobId), EMPTY);
        return store.head(ObjectKeys.completing(jobId)).isEmpty();
    }

    /**
     * The packager's side, right before it announces a result. Returns true when it may complete
     * the job, false when the job is cancelled (the packager then announces CANCELLED, not the
     * result).
     */
    public static boolean mayComplete(ObjectStore store, String jobId) throws IOException {
        store.put(ObjectKeys.completing(jobId), EMPTY);
        return !isRequested(store, jobId);
    }

    /** Whether a cancel was asked for: a stage may skip the job's work early (the decision is {@link #mayComplete}). */
    public static boolean isRequested(ObjectStore store, String jobId) throws IOException {
        return store.head(ObjectKeys.cancelled(jobId)).isPresent();
    }
}
