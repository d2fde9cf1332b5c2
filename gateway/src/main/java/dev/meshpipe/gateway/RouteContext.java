package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;

/**
 * What every job route shares: where jobs are looked up, published and stored, who may see them,
 * and the limits on what clients send.
 *
 * @param maxUploadBytes MESHPIPE_MAX_UPLOAD_BYTES
 * @param volumeLimits   what a volume's header may declare
 * @param edge           idle timeout, free-space floor, tenant quotas
 * @param linkLifetime   how long a signed download link works
 * @param allowPrivateCallbacks whether a callbackUrl may name a private address (MESHPIPE_CALLBACK_ALLOW_PRIVATE)
 */
record RouteContext(ObjectStore store, JobStatuses statuses, JobPublisher publisher, Auth auth,
                    long maxUploadBytes, VolumeLimits volumeLimits, EdgeLimits edge, Duration linkLifetime,
                    boolean allowPrivateCallbacks) {

    /** Callbacks to public addresses only. */
    RouteContext(ObjectStore store, JobStatuses statuses, JobPublisher publisher, Auth auth,
                 long maxUploadBytes, VolumeLimits volumeLimits, EdgeLimits edge, Duration linkLifetime) {
        this(store, statuses, publisher, auth, maxUploadBytes, volumeLimits, edge, linkLifetime, false);
    }

    /** How long a submission or cancel waits for its own event to reach the status store. */
    static final long READ_YOUR_WRITES_MS = 10_000;

    /** The job named in the path, if the caller may see it; another tenant's job is answered as a missing one. */
    JobStatus lookup(Context ctx) {
        String id = ctx.pathParam("id");
        if (!JobId.isValid(id)) {
            throw new MeshpipeException(ErrorCode.INVALID_JOB_ID, "not a valid job id");
        }
        return statuses.get(id).filter(s -> auth.visible(ctx, s))
                .orElseThrow(() -> new MeshpipeException(ErrorCode.JOB_NOT_FOUND, "no job " + id));
    }

    /** The public view, with a signed download link when tokens are on. */
    StatusView view(JobStatus s) {
        StatusView v = StatusView.of(s);
        if (auth.enabled() && s.state() == JobState.SUCCEEDED) {
            Instant exp = Instant.now().plus(linkLifetime);
            if (s.result() != null && s.result().expiresAt() != null && s.result().expiresAt().isBefore(exp)) {
                exp = s.result().expiresAt();
            }
            v = v.withSignedDownload(auth.signedDownload(s.id(), exp));
        }
        return v;
    }

    static MeshpipeException storageDown() {
        return new MeshpipeException(ErrorCode.STORAGE_UNAVAILABLE, "object storage is unavailable");
    }
}
