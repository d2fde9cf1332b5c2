package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.ZipNames;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobStatus;
import dev.meshpipe.common.store.ObjectKeys;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;

/** A finished job's files: the ZIP download, the preview, the 3D view's GLB and the quality metrics. */
final class ResultRoutes {
    private final RouteContext c;
    private final Downloads downloads;

    ResultRoutes(RouteContext c) {
        this.c = c;
        this.downloads = new Downloads(c.store());
    }

    /** GET and HEAD /jobs/{id}/download: the download contract (docs/api.md). */
    void download(Context ctx, boolean head) {
        JobStatus s = c.lookup(ctx);
        JobResult r = ready(s);
        downloads.serve(ctx, head, r.object(), "application/zip", "\"" + r.sha256() + "\"",
                "attachment; filename=\"" + ZipNames.fileName(s.name(), s.id()) + "\"");
    }

    /** GET /jobs/{id}/preview.png of a finished job. */
    void preview(Context ctx) {
        JobStatus s = c.lookup(ctx);
        ready(s);
        downloads.serve(ctx, false, ObjectKeys.preview(s.id()), "image/png", null, null);
    }

    /** GET /jobs/{id}/mesh.glb of a finished job that asked for GLB: the web page's 3D view. */
    void glb(Context ctx) {
        JobStatus s = c.lookup(ctx);
        JobResult r = ready(s);
        try {
            downloads.serve(ctx, false, ObjectKeys.viewerGlb(s.id()), "model/gltf-binary", null, null);
        } catch (MeshpipeException e) {
            // No GLB beside a ZIP that is still there: the job never asked for one (checked only then).
            if (e.code() == ErrorCode.RESULT_EXPIRED && exists(r.object())) {
                throw new MeshpipeException(ErrorCode.NOT_FOUND, "this job did not ask for the GLB format");
            }
            throw e;
        }
    }

    /** GET /jobs/{id}/quality.json of a finished job: its mesh metrics. */
    void quality(Context ctx) {
        JobStatus s = c.lookup(ctx);
        ready(s);
        downloads.serve(ctx, false, ObjectKeys.quality(s.id()), "application/json", null, null);
    }

    private boolean exists(String key) {
        try {
            return c.store().head(key).isPresent();
        } catch (IOException e) {
            throw RouteContext.storageDown();
        }
    }

    /** The result of a SUCCEEDED, unexpired job, or the problem that says why there is none. */
    static JobResult ready(JobStatus s) {
        switch (s.state()) {
            case QUEUED, PROCESSING, PACKAGING -> throw new MeshpipeException(ErrorCode.JOB_NOT_READY,
                    "job is " + s.state() + " (" + s.progress() + "%)")
                    .with("state", s.state()).with("progress", s.progress()).with("stage", s.stage());
            case EXPIRED -> throw expired("the result has expired");
            case FAILED -> throw new MeshpipeException(ErrorCode.JOB_FAILED, s.error() == null ? "the job failed" : s.error().message())
                    .with("state", s.state()).with("error", s.error());
            case CANCELLED -> throw new MeshpipeException(ErrorCode.JOB_CANCELLED, "the job was cancelled").with("state", s.state());
            case SUCCEEDED -> { }
        }
        JobResult r = s.result();
        if (r == null || (r.expiresAt() != null && r.expiresAt().isBefore(Instant.now()))) {
            throw expired("the result has expired");
        }
        return r;
    }

    static MeshpipeException expired(String detail) {
        return new MeshpipeException(ErrorCode.RESULT_EXPIRED, detail);
    }
}
