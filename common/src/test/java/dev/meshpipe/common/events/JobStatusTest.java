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
}
