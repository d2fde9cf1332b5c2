package dev.meshpipe.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.common.events.JobError;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import java.time.Instant;

/** What {@code GET /jobs/{id}} returns (the tenant stays inside). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusView(String id, JobState state, int progress, String stage, Instant submittedAt, Instant updatedAt,
                         String name, String device, Long triangles, JobError error, JobResult result, String download) {

    static StatusView of(JobStatus s) {
        String download = s.state() == JobState.SUCCEEDED ? "/jobs/" + s.id() + "/download" : null;
        return new StatusView(s.id(), s.state(), s.progress(), s.stage(), s.submittedAt(), s.updatedAt(), s.name(),
                s.device(), s.triangles(), s.error(), s.result(), download);
    }
}
