package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;

/**
 * A state change or progress report, on {@code meshpipe.jobs.events}. Every stage writes these;
 * the gateway folds them into a {@link JobStatus}. Optional fields are set by the stage that knows them;
 * {@code fingerprint} (the gateway's QUEUED only) is a hash of the submitting request.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEvent(
        String jobId,
        JobState state,
        int progress,
        String stage,
        Instant at,
        String tenant,
        String name,
        Instant submittedAt,
        @JsonUnwrapped MeshSummary mesh,
        JobError error,
        JobResult result,
        String fingerprint,
        String callbackUrl) {

    public JobEvent {
        mesh = MeshSummary.orNull(mesh);
    }

    /** An event as it was before completion webhooks: no callback. */
    public JobEvent(String jobId, JobState state, int progress, String stage, Instant at, String tenant, String name,
                    Instant submittedAt, MeshSummary mesh, JobError error, JobResult result, String fingerprint) {
        this(jobId, state, progress, stage, at, tenant, name, submittedAt, mesh, error, result, fingerprint, null);
    }

    public static JobEvent of(String jobId, JobState state, int progress, String stage) {
        return new JobEvent(jobId, state, progress, stage, Instant.now(), null, null, null, null, null, null, null, null);
    }

    /** The job's completion webhook, on the events that admit it (QUEUED, or FAILED at validation). */
    public JobEvent withCallbackUrl(String url) {
        return new JobEvent(jobId, state, progress, stage, at, tenant, name, submittedAt, mesh, error, result, fingerprint, url);
    }

    public JobEvent withSubmission(String tenant, String name, Instant submittedAt) {
        return new JobEvent(jobId, state, progress, stage, at, tenant, name, submittedAt, mesh, error, result, fingerprint, callbackUrl);
    }

    /** The mesh as far as this stage knows it: its device while it runs, the whole summary once made. */
    public JobEvent withMesh(MeshSummary mesh) {
        return new JobEvent(jobId, state, progress, stage, at, tenant, name, submittedAt, mesh, error, result, fingerprint, callbackUrl);
    }

    public JobEvent withError(JobError error) {
        return new JobEvent(jobId, state, progress, stage, at, tenant, name, submittedAt, mesh, error, result, fingerprint, callbackUrl);
    }

    public JobEvent withResult(JobResult result) {
        return new JobEvent(jobId, state, progress, stage, at, tenant, name, submittedAt, mesh, error, result, fingerprint, callbackUrl);
    }

    /** The submitting request's fingerprint, so a reused Idempotency-Key with another request is told apart. */
    public JobEvent withFingerprint(String requestFingerprint) {
        return new JobEvent(jobId, state, progress, stage, at, tenant, name, submittedAt, mesh, error, result, requestFingerprint, callbackUrl);
    }

    public static JobEvent failed(String jobId, dev.meshpipe.common.ErrorCode code, String message, String stage) {
        return of(jobId, JobState.FAILED, 100, stage).withError(new JobError(code, message));
    }
}
