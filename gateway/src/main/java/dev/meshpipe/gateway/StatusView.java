package dev.meshpipe.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.common.events.JobError;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import dev.meshpipe.common.events.MeshAccuracy;
import java.time.Instant;

/** What {@code GET /jobs/{id}} returns (the tenant stays inside). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusView(String id, JobState state, int progress, int jobProgress, String stage, Instant submittedAt, Instant updatedAt,
                         String name, String device, Long triangles, String mode, String modeReason, MeshAccuracy accuracy, JobError error,
                         JobResult result, String download,
                         String preview, String signedDownload) {

    static StatusView of(JobStatus s) {
        boolean done = s.state() == JobState.SUCCEEDED;
        String mode = s.mesh() == null ? null : s.mesh().mode();
        boolean preview = done;
        return new StatusView(s.id(), s.state(), s.progress(), jobProgress(s.state(), s.progress()), s.stage(), s.submittedAt(), s.updatedAt(), s.name(),
                s.device(), s.triangles(), mode, s.mesh() == null ? null : s.mesh().modeReason(),
                s.mesh() == null ? null : s.mesh().accuracy(), s.error(), s.result(),
                done ? "/jobs/" + s.id() + "/download" : null, preview ? "/jobs/" + s.id() + "/preview.png" : null, null);
    }

    /**
     * The whole job's progress, for one bar that never goes back: {@code progress} starts again
     * at 0 in each state. Meshing (writing the files and the preview included) and packaging
     * (compressing them) each take about half of a job on the CPU, so each gets half the bar.
     */
    static int jobProgress(JobState state, int progress) {
        return switch (state) {
            case QUEUED, FAILED, CANCELLED -> 0;
            case PROCESSING -> progress / 2;
            case PACKAGING -> 50 + Math.min(99, progress) * 49 / 99;
            case SUCCEEDED, EXPIRED -> 100;
        };
    }

    StatusView withSignedDownload(String link) {
        return new StatusView(id, state, progress, jobProgress, stage, submittedAt, updatedAt, name, device, triangles, mode, modeReason,
                accuracy, error, result,
                download, preview, link);
    }
}
