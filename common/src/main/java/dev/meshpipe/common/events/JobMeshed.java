package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;
import java.util.List;

/** The processor's outputs for a job, on {@code meshpipe.jobs.meshed}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobMeshed(
        String jobId,
        String tenant,
        JobParams params,
        List<OutputFile> files,
        @JsonUnwrapped MeshSummary mesh,
        Instant submittedAt,
        Instant meshedAt) {

    public JobMeshed {
        mesh = MeshSummary.orNull(mesh);
    }
}
