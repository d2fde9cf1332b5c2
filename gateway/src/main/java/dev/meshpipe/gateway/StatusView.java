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
                         String name, String device, Long triangles, JobError error, JobResult result, String download,
                         String preview, String signedDownload) {

    static StatusView of(JobStatus s) {
        boolean done = s.state() == JobState.SUCCEEDED;
        return new StatusView(s.id(), s.state(), s.progress(), s.stage(), s.submittedAt(), s.updatedAt(), s.name(),
                s.device(), s.triangles(), s.error(), s.result(), done ? "/jobs/" + s.id() + "/download" : null,
                done ? "/jobs/" + s.id() + "/preview.png" : null, null);
    }

    StatusView withSignedDownload(String link) {
        return new StatusView(id, state, progress, stage, submittedAt, updatedAt, name, device, triangles, error, result,
                download, preview, link);
    }
}
