package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.events.JobState;
import org.junit.jupiter.api.Test;

class StatusViewTest {
    @Test
    void jobProgressOnlyMovesForwardThroughAJobsStates() {
        int last = -1;
        int[][] life = {
            {JobState.QUEUED.ordinal(), 0},
            {JobState.PROCESSING.ordinal(), 1}, {JobState.PROCESSING.ordinal(), 60}, {JobState.PROCESSING.ordinal(), 100},
            {JobState.PACKAGING.ordinal(), 0}, {JobState.PACKAGING.ordinal(), 50}, {JobState.PACKAGING.ordinal(), 99},
            {JobState.SUCCEEDED.ordinal(), 100}, {JobState.EXPIRED.ordinal(), 100},
        };
        for (int[] step : life) {
            int p = StatusView.jobProgress(JobState.values()[step[0]], step[1]);
            assertTrue(p >= last, JobState.values()[step[0]] + " " + step[1] + " went back to " + p + " from " + last);
            assertTrue(p >= 0 && p <= 100);
            last = p;
        }
        assertEquals(50, StatusView.jobProgress(JobState.PACKAGING, 0));
        assertEquals(99, StatusView.jobProgress(JobState.PACKAGING, 99), "only SUCCEEDED is 100");
        assertEquals(100, StatusView.jobProgress(JobState.SUCCEEDED, 100));
    }
}
