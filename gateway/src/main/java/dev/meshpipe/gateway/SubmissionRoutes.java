package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.common.store.ObjectKeys;
import io.javalin.http.Context;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** {@code POST /jobs}: a JSON request or an upload, made a job once (docs/api.md, "Submitting"). */
final class SubmissionRoutes {
    private final RouteContext c;
    private final Uploads uploads;

    SubmissionRoutes(RouteContext c) {
        this.c = c;
        this.uploads = new Uploads(c);
    }

    void submit(Context ctx) throws Exception {
        String type = SubmissionRequests.mediaType(ctx);
        boolean json = type.equals("application/json");
        boolean form = type.equals("multipart/form-data");
        if (!json && !form && !type.equals("application/octet-stream") && !SubmissionRequests.isZipUpload(type)) {
            throw new MeshpipeException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the volume as application/octet-stream, a DICOM series "
                    + "as application/zip, a volume with its colour table as multipart/form-data, or a JSON request as application/json");
        }
        String tenant = Auth.tenant(ctx);
        String idemKey = ctx.header("Idempotency-Key");
        String id = idemKey != null ? JobIds.idempotentId(tenant, idemKey) : null;
        // The same key again: the same job, not a second one, if it is the same request.
        Optional<JobStatus> existing = id != null ? c.statuses().get(id) : Optional.empty();
        if (existing.isPresent() && !c.auth().visible(ctx, existing.get())) {
            throw JobIds.taken(id); // only a Kafka producer can have used a key-derived id
        }
        JobSubmission submission;
        String fingerprint;
        boolean chosenId = false;
        if (json) {
            SubmissionRequests.JsonRequest req = SubmissionRequests.readJson(ctx, c.volumeLimits());
            requireCallable(req.params());
            fingerprint = JobIds.fingerprint("json", Json.bytes(req));
            if (existing.isPresent()) {
                answerRepeat(ctx, existing.get(), fingerprint);
                return;
            }
            if (id != null && req.id() != null) {
                // The key names the job; a chosen id beside it would be silently dropped.
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "send either an 'id' or an Idempotency-Key, not both");
            }
            if (req.id() != null) {
                id = JobIds.chosen(req.id());
                chosenId = true;
                if (c.statuses().get(id).isPresent()) {
                    throw JobIds.taken(id);
                }
            }
            requireQuota(tenant);
            id = id != null ? id : JobId.newId();
            submission = new JobSubmission(req.input(), req.params(), tenant, Instant.now());
        } else {
            FormUploads.Form f = form ? FormUploads.read(ctx, c.maxUploadBytes(), c.edge().idleTimeout().toSeconds()) : null;
            JobParams params = SubmissionRequests.uploadParams(ctx, f == null ? null : f.colors());
            requireCallable(params);
            MessageDigest body = JobIds.sha256();
            if (existing.isPresent()) {
                upload(ctx, f, null, body);
                answerRepeat(ctx, existing.get(), JobIds.fingerprint("upload", Json.bytes(params), body.digest()));
                return;
            }
            requireQuota(tenant);
            id = id != null ? id : JobId.newId();
            upload(ctx, f, id, body);
            fingerprint = JobIds.fingerprint("upload", Json.bytes(params), body.digest());
            submission = new JobSubmission(new InputRef.StoredObject(ObjectKeys.input(id), null), params, tenant, Instant.now());
        }
        publish(ctx, id, submission, fingerprint, chosenId, idemKey != null);
    }

    /** The request's body, or the form's volume part, into the store. */
    private void upload(Context ctx, FormUploads.Form f, String id, MessageDigest body) throws java.io.IOException {
        if (f == null) {
            uploads.upload(ctx, id, body);
            return;
        }
        try (java.io.InputStream in = f.open()) {
            uploads.upload(in, f.volume().getSize(), id, body);
        }
    }

    private void publish(Context ctx, String id, JobSubmission submission, String fingerprint, boolean chosenId, boolean keyed)
            throws Exception {
        String tenant = submission.tenant();
        String name = submission.params() == null ? null : submission.params().name();
        c.publisher().submission(id, submission);
        JobEvent queued = JobEvent.of(id, JobState.QUEUED, 0, "submitted").withSubmission(tenant, name, submission.submittedAt())
                .withFingerprint(fingerprint).withCallbackUrl(submission.params() == null ? null : submission.params().callbackUrl());
        if (!chosenId) {
            // QUEUED is published here and awaited in the owning store, so any instance knows the
            // job once this request answers (read-your-writes). A chosen id may be submitted by
            // someone else at the same moment, and its owner is whoever ingest admits first: ingest's
            // own QUEUED or FAILED event, the first to name a tenant, says who (docs/api.md).
            c.publisher().event(id, queued);
        }
        JobStatus status = c.statuses().await(id, st -> !c.auth().enabled() || st.tenant() != null, RouteContext.READ_YOUR_WRITES_MS)
                .orElse(JobStatus.initial(queued));
        if (!c.auth().visible(ctx, status)) {
            throw JobIds.taken(id);
        }
        if (keyed) {
            // Two different requests racing with one key: the job is the first's, so the second learns it.
            answerRepeat(ctx, status, fingerprint);
            return;
        }
        ctx.status(202).header("Location", "/jobs/" + id).json(c.view(status));
    }

    /**
     * A repeated Idempotency-Key: 202 with the job it made when the request is the same, 422
     * when it differs (the client would otherwise believe its new request was taken). Jobs from
     * before fingerprints were recorded are taken to match.
     */
    private void answerRepeat(Context ctx, JobStatus existing, String fingerprint) {
        if (existing.fingerprint() != null && !existing.fingerprint().equals(fingerprint)) {
            throw new MeshpipeException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "this Idempotency-Key was used for another request; use a new key for a new request");
        }
        ctx.status(202).header("Location", "/jobs/" + existing.id()).json(c.view(existing));
    }

    /** 400 INVALID_CALLBACK_URL when the job's callback names an address this gateway may not call. */
    private void requireCallable(JobParams params) {
        if (params != null && params.callbackUrl() != null) {
            CallbackTargets.require(params.callbackUrl(), c.allowPrivateCallbacks());
        }
    }

    /** 429 when the tenant is at its limit of unfinished jobs or of stored results (both off by default). */
    private void requireQuota(String tenant) {
        EdgeLimits edge = c.edge();
        if (edge.tenantMaxActiveJobs() <= 0 && edge.tenantMaxStoredBytes() <= 0) {
            return;
        }
        JobStatuses.Usage u = c.statuses().usage(tenant);
        if (edge.tenantMaxActiveJobs() > 0 && u.activeJobs() >= edge.tenantMaxActiveJobs()) {
            throw new MeshpipeException(ErrorCode.TENANT_QUOTA_EXCEEDED, "this tenant has " + u.activeJobs()
                    + " unfinished jobs, its limit; submit again when one has finished")
                    .with("activeJobs", u.activeJobs()).with("limit", edge.tenantMaxActiveJobs());
        }
        if (edge.tenantMaxStoredBytes() > 0 && u.storedBytes() >= edge.tenantMaxStoredBytes()) {
            // Stored results free up only as they expire, which takes longer than a job takes to finish.
            throw new MeshpipeException(ErrorCode.TENANT_QUOTA_EXCEEDED, "this tenant's results take " + u.storedBytes()
                    + " bytes, its limit; submit again when some have expired")
                    .with("storedBytes", u.storedBytes()).with("limit", edge.tenantMaxStoredBytes())
                    .retryAfter(Duration.ofMinutes(5));
        }
    }
}
