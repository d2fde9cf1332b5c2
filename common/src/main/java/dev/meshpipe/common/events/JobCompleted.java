package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;

/**
 * The contract for downstream consumers, on {@code meshpipe.jobs.completed}: one record per job,
 * written in the same transaction as the job's SUCCEEDED event.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobCompleted(
        String jobId,
        String tenant,
        JobResult result,
        @JsonUnwrapped MeshSummary mesh,
        Instant submittedAt,
        Instant completedAt) {

    public JobCompleted {
        mesh = MeshSummary.orNull(mesh);
    }
}
