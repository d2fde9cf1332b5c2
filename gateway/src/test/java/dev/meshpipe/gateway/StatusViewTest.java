package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import dev.meshpipe.common.events.MeshAccuracy;
import dev.meshpipe.common.events.MeshSummary;
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

    @Test
    void aFinishedJobsStatusShowsItsAccuracy() throws Exception {
        MeshAccuracy a = new MeshAccuracy("print", 1000L, 236L, -0.4, 1.5, new MeshAccuracy.Hausdorff(0.3, 0.09, 0.03),
                true, true, true, 0L);
        JobStatus s = JobStatus.initial(JobEvent.of("j1", JobState.SUCCEEDED, 100, "done")
                .withMesh(MeshSummary.of("cpu", 120, 236, true, null).withAccuracy(a)));
        JsonNode json = Json.MAPPER.readTree(Json.bytes(StatusView.of(s)));
        assertEquals(0.09, json.at("/accuracy/hausdorffMm/p95").asDouble());
        assertTrue(json.at("/accuracy/manifold").asBoolean());
        assertEquals("print", json.at("/accuracy/preset").asText());
        assertTrue(Json.MAPPER.readTree(Json.bytes(StatusView.of(JobStatus.initial(JobEvent.of("j2", JobState.QUEUED, 0, "queued")))))
                .path("accuracy").isMissingNode(), "no accuracy before the mesh exists");
    }
}
