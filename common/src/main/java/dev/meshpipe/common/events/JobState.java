package dev.meshpipe.common.events;

/** The life of a job. {@link #rank()} orders states so that status folds never move backwards. */
public enum JobState {
    QUEUED(0), PROCESSING(1), PACKAGING(2), SUCCEEDED(3), FAILED(3), CANCELLED(3), EXPIRED(4);

    private final int rank;

    JobState(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }

    public boolean isFinished() {
        return rank >= 3;
    }
}
