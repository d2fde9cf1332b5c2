package dev.meshpipe.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.meshpipe.common.ErrorCode;
import org.junit.jupiter.api.Test;

class JobStatusTest {
    @Test
    void theFoldNeverMovesBackwards() {
        JobStatus s = JobStatus.initial(JobEvent.of("j", JobState.QUEUED, 0, "submitted"));
        s = s.apply(JobEvent.of("j", JobState.PROCESSING, 40, "extracting"));
        assertEquals(40, s.progress());
        s = s.apply(JobEvent.of("j", JobState.PROCESSING, 20, "late"));
        assertEquals(40, s.progress());
        assertEquals("extracting", s.stage());
        s = s.apply(JobEvent.of("j", JobState.QUEUED, 0, "redelivered"));
        assertEquals(JobState.PROCESSING, s.state());
        s = s.apply(JobEvent.of("j", JobState.SUCCEEDED, 100, "done").withResult(new JobResult("results/j.zip", 1, "x", null)));
        s = s.apply(JobEvent.of("j", JobState.PROCESSING, 99, "late progress"));
        s = s.apply(JobEvent.failed("j", ErrorCode.MESHING_FAILED, "duplicate", "meshing"));
        assertEquals(JobState.SUCCEEDED, s.state());
        assertNotNull(s.result());
        s = s.apply(JobEvent.of("j", JobState.EXPIRED, 100, "expired"));
        assertEquals(JobState.EXPIRED, s.state());
    }

    @Test
    void expiryOnlyFollowsSuccess() {
        JobStatus s = JobStatus.initial(JobEvent.failed("j", ErrorCode.INVALID_VOLUME, "bad", "validating"));
        assertEquals(JobState.FAILED, s.apply(JobEvent.of("j", JobState.EXPIRED, 100, "expired")).state());
    }

    /**
     * Cancel versus completion (docs/architecture.md): whatever order the terminal events of a
     * job arrive in, the first one decides, and nothing after it changes the state, the result or
     * the error. Every permutation of CANCELLED, SUCCEEDED and FAILED, after every earlier state.
     */
    @Test
    void theFirstTerminalEventIsFinalInEveryOrder() {
        JobEvent cancelled = JobEvent.of("j", JobState.CANCELLED, 0, "cancelled");
        JobEvent succeeded = JobEvent.of("j", JobState.SUCCEEDED, 100, "done").withResult(new JobResult("results/j.zip", 1, "x", null));
        JobEvent failed = JobEvent.failed("j", ErrorCode.INCOMPLETE_RESULTS, "missing", "packaging");
        java.util.List<JobEvent> terminal = java.util.List.of(cancelled, succeeded, failed);
        for (JobState before : new JobState[] {JobState.QUEUED, JobState.PROCESSING, JobState.PACKAGING}) {
            for (java.util.List<JobEvent> order : permutations(terminal)) {
                JobStatus s = JobStatus.initial(JobEvent.of("j", JobState.QUEUED, 0, "queued"));
                s = s.apply(JobEvent.of("j", before, 30, "working"));
                JobStatus afterFirst = s.apply(order.get(0));
                for (JobEvent e : order) {
                    s = s.apply(e);
                }
                s = s.apply(JobEvent.of("j", JobState.PACKAGING, 99, "late progress"));
                assertEquals(order.get(0).state(), s.state(), "after " + before + " then " + order.stream().map(JobEvent::state).toList());
                assertEquals(afterFirst, s, "nothing after the first terminal event changes the status");
                assertEquals(order.get(0) == succeeded, s.result() != null);
                assertEquals(order.get(0) == failed, s.error() != null);
            }
        }
    }

    static <T> java.util.List<java.util.List<T>> permutations(java.util.List<T> items) {
        if (items.isEmpty()) {
            return java.util.List.of(java.util.List.of());
        }
        java.util.List<java.util.List<T>> out = new java.util.ArrayList<>();
        for (T first : items) {
            java.util.List<T> rest = new java.util.ArrayList<>(items);
            rest.remove(first);
            for (java.util.List<T> tail : permutations(rest)) {
                java.util.List<T> p = new java.util.ArrayList<>();
                p.add(first);
                p.addAll(tail);
                out.add(p);
            }
        }
        return out;
    }

    @Test
    void theRequestsFingerprintIsKeptWhenItsQueuedEventLandsLate() {
        JobStatus s = JobStatus.initial(JobEvent.of("j", JobState.QUEUED, 0, "admitted"));
        s = s.apply(JobEvent.of("j", JobState.PROCESSING, 10, "extracting"));
        s = s.apply(JobEvent.of("j", JobState.QUEUED, 0, "submitted").withFingerprint("abc"));
        assertEquals(JobState.PROCESSING, s.state());
        assertEquals("abc", s.fingerprint());
    }
}
