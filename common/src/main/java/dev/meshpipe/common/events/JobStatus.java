package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;

/**
 * What the gateway knows of a job: the fold of its events. {@link #apply} is monotonic, so late,
 * duplicate or reordered events never move a job backwards.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobStatus(
        String id,
        JobState state,
        int progress,
        String stage,
        Instant submittedAt,
        Instant updatedAt,
        String tenant,
        String name,
        @JsonUnwrapped MeshSummary mesh,
        JobError error,
        JobResult result,
        String fingerprint,
        String callbackUrl) {

    public JobStatus {
        mesh = MeshSummary.orNull(mesh);
    }

    /** A status as it was before completion webhooks: no callback. */
    public JobStatus(String id, JobState state, int progress, String stage, Instant submittedAt, Instant updatedAt,
                     String tenant, String name, MeshSummary mesh, JobError error, JobResult result, String fingerprint) {
        this(id, state, progress, stage, submittedAt, updatedAt, tenant, name, mesh, error, result, fingerprint, null);
    }

    public static JobStatus initial(JobEvent e) {
        return new JobStatus(e.jobId(), e.state(), clamp(e.progress()), e.stage(),
                e.submittedAt() != null ? e.submittedAt() : e.at(), e.at(), e.tenant(), e.name(),
                e.mesh(), e.error(), e.result(), e.fingerprint(), e.callbackUrl());
    }

    /** Returns the status after {@code e}, or this status unchanged if {@code e} would move it backwards. */
    public JobStatus apply(JobEvent e) {
        boolean forward = e.state().rank() > state.rank()
                || (e.state() == state && !state.isFinished() && e.progress() >= progress)
                // EXPIRED only follows a result that existed.
                || (e.state() == JobState.EXPIRED && state == JobState.SUCCEEDED);
        if (e.state() == JobState.EXPIRED && state != JobState.SUCCEEDED && state != JobState.EXPIRED) {
            forward = false;
        }
        if (!forward) {
            // The gateway's QUEUED event alone carries the request's fingerprint, and it can land
            // after ingest's or the processor's; keep it so a reused Idempotency-Key is still caught.
            // Likewise the callback: the gateway's QUEUED and ingest's both carry it, in either order.
            if ((fingerprint == null && e.fingerprint() != null) || (callbackUrl == null && e.callbackUrl() != null)) {
                return new JobStatus(id, state, progress, stage, submittedAt, updatedAt, tenant, name, mesh, error, result,
                        fingerprint != null ? fingerprint : e.fingerprint(), callbackUrl != null ? callbackUrl : e.callbackUrl());
            }
            return this;
        }
        Instant updated = e.at() == null || (updatedAt != null && e.at().isBefore(updatedAt)) ? updatedAt : e.at();
        return new JobStatus(id, e.state(), clamp(e.progress()), e.stage() != null ? e.stage() : stage,
                submittedAt != null ? submittedAt : e.submittedAt(), updated,
                tenant != null ? tenant : e.tenant(), name != null ? name : e.name(),
                e.mesh() != null ? e.mesh().over(mesh) : mesh,
                e.error() != null ? e.error() : error, e.result() != null ? e.result() : result,
                fingerprint != null ? fingerprint : e.fingerprint(), callbackUrl != null ? callbackUrl : e.callbackUrl());
    }

    /** Whether this status, following {@code before} (null: none), is the job's move into SUCCEEDED, FAILED or CANCELLED. */
    public boolean finishes(JobStatus before) {
        return isTerminal(state) && (before == null || !isTerminal(before.state()));
    }

    /** The states a completion webhook reports; EXPIRED only follows SUCCEEDED. */
    public static boolean isTerminal(JobState s) {
        return s == JobState.SUCCEEDED || s == JobState.FAILED || s == JobState.CANCELLED;
    }

    /** The device the job ran (or runs) on, if known. */
    public String device() {
        return mesh == null ? null : mesh.device();
    }

    /** The mesh's triangles, once it is made. */
    public Long triangles() {
        return mesh == null ? null : mesh.triangles();
    }

    private static int clamp(int p) {
        return Math.max(0, Math.min(100, p));
    }
}
