package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.common.kafka.EventPublisher;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.common.store.ObjectNotFoundException;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.io.VolumeReader;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Locale;

/** The job routes: submit, status and download. */
final class JobRoutes {
    /** Bytes of an upload read before its header is checked; covers a gzip stream's first 348 bytes. */
    static final int HEAD_BYTES = 64 * 1024;
    static final int MAX_JSON_BYTES = 1024 * 1024;

    private final ObjectStore store;
    private final EventPublisher producer;
    private final StatusStore statuses;
    private final long maxUploadBytes;
    private final VolumeLimits limits;

    JobRoutes(ObjectStore store, EventPublisher producer, StatusStore statuses, long maxUploadBytes, VolumeLimits limits) {
        this.store = store;
        this.producer = producer;
        this.statuses = statuses;
        this.maxUploadBytes = maxUploadBytes;
        this.limits = limits;
    }

    void submit(Context ctx) throws Exception {
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
        String id;
        JobSubmission submission;
        if (type.equals("application/json")) {
            JsonRequest req = readJson(ctx);
            id = req.id() != null ? JobId.require(req.id()) : JobId.newId();
            submission = new JobSubmission(req.input(), req.params(), null, Instant.now());
        } else if (type.equals("application/octet-stream")) {
            id = JobId.newId();
            JobParams params = paramsFromQuery(ctx);
            upload(ctx, id);
            submission = new JobSubmission(new InputRef.StoredObject(ObjectKeys.input(id), null), params, null, Instant.now());
        } else {
            throw new MeshpipeException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "send the volume as application/octet-stream or a JSON request as application/json");
        }
        Instant at = submission.submittedAt() != null ? submission.submittedAt() : Instant.now();
        String name = submission.params() == null ? null : submission.params().name();
        producer.publishAndWait(Topics.SUBMITTED, id, submission);
        // Publish the QUEUED state ourselves and wait until our store has it: read-your-writes.
        JobEvent queued = JobEvent.of(id, JobState.QUEUED, 0, "submitted").withSubmission(submission.tenant(), name, at);
        producer.publishAndWait(Topics.EVENTS, id, queued);
        JobStatus status = statuses.await(id, 10_000).orElse(JobStatus.initial(queued));
        ctx.status(202).header("Location", "/jobs/" + id).json(StatusView.of(status));
    }

    /** Reads and checks the JSON form; returns it with validated params. */
    private JsonRequest readJson(Context ctx) throws IOException {
        byte[] body = ctx.bodyInputStream().readNBytes(MAX_JSON_BYTES + 1);
        if (body.length > MAX_JSON_BYTES) {
            throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "JSON requests are limited to " + MAX_JSON_BYTES + " bytes");
        }
        JsonRequest req;
        try {
            req = Json.read(body, JsonRequest.class);
        } catch (IOException e) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "request body is not valid JSON: " + Json.shortMessage(e));
        }
        if (req == null || req.input() == null) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "request needs an 'input': {\"synthetic\": SPEC} or {\"object\": KEY}");
        }
        if (req.input() instanceof InputRef.Inline) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "upload volumes as application/octet-stream, not inline");
        }
        if (req.input() instanceof InputRef.Synthetic s) {
            if (s.synthetic() == null) {
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "input.synthetic is empty");
            }
            SyntheticVolumes.validate(s.synthetic(), limits);
        }
        JobParams params = (req.params() == null ? JobParams.defaults() : req.params()).validated();
        return new JsonRequest(req.id(), req.input(), params);
    }

    /** The JSON form of {@code POST /jobs}; {@code id} lets a client name its job (and its input key). */
    record JsonRequest(String id, InputRef input, JobParams params) {}

    private static JobParams paramsFromQuery(Context ctx) {
        String borders = ctx.queryParam("borders");
        String formats = ctx.queryParam("formats");
        return new JobParams(ctx.queryParam("iso"),
                borders == null ? null : JobParams.parseBorders(borders),
                formats == null ? null : JobParams.parseFormats(formats),
                ctx.queryParam("name")).validated();
    }

    /**
     * Streams the body into the store. The header is checked from the first bytes, before the rest
     * is read, so a bad volume is refused before anything is stored.
     */
    private void upload(Context ctx, String id) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxUploadBytes) {
            throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "upload of " + declared + " bytes exceeds the limit of " + maxUploadBytes);
        }
        InputStream body = ctx.bodyInputStream();
        byte[] head = body.readNBytes(HEAD_BYTES);
        if (head.length == 0) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "the request body is empty");
        }
        try {
            VolumeReader.describeHeader(new ByteArrayInputStream(head), limits);
        } catch (EOFException e) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "the volume ends inside its header");
        } catch (java.util.zip.ZipException e) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "corrupt gzip data");
        }
        ObjectStore.Upload up = store.create(ObjectKeys.input(id));
        try {
            up.write(head);
            long total = head.length;
            byte[] buf = new byte[1 << 16];
            for (int n; (n = body.read(buf)) > 0; ) {
                total += n;
                if (total > maxUploadBytes) {
                    throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "upload exceeds the limit of " + maxUploadBytes + " bytes");
                }
                up.write(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            up.abort();
            up.close();
            throw e;
        }
        up.close();
    }

    void status(Context ctx) {
        JobStatus s = lookup(ctx);
        ctx.json(StatusView.of(s));
    }

    /** GET and HEAD /jobs/{id}/download: the download contract (see docs/api.md). */
    void download(Context ctx, boolean head) throws IOException {
        JobStatus s = lookup(ctx);
        String instance = ctx.path();
        switch (s.state()) {
            case QUEUED, PROCESSING, PACKAGING -> throw new ProblemException(Problem.of(ErrorCode.JOB_NOT_READY,
                    "job is " + s.state() + " (" + s.progress() + "%)", instance)
                    .with("state", s.state()).with("progress", s.progress()), 2);
            case EXPIRED -> throw new ProblemException(Problem.of(ErrorCode.RESULT_EXPIRED, "the result has expired", instance), null);
            case FAILED -> throw new ProblemException(Problem.of(ErrorCode.JOB_FAILED,
                    s.error() == null ? "the job failed" : s.error().message(), instance)
                    .with("state", s.state()).with("error", s.error()), null);
            case CANCELLED -> throw new ProblemException(Problem.of(ErrorCode.JOB_CANCELLED, "the job was cancelled", instance)
                    .with("state", s.state()), null);
            case SUCCEEDED -> { }
        }
        JobResult r = s.result();
        if (r == null || (r.expiresAt() != null && r.expiresAt().isBefore(Instant.now()))) {
            throw new ProblemException(Problem.of(ErrorCode.RESULT_EXPIRED, "the result has expired", instance), null);
        }
        long size;
        try {
            var info = store.head(r.object());
            if (info.isEmpty()) {
                throw new ProblemException(Problem.of(ErrorCode.RESULT_EXPIRED, "the result is no longer stored", instance), null);
            }
            size = info.get().size();
        } catch (IOException e) {
            throw storageDown(instance);
        }
        String etag = "\"" + r.sha256() + "\"";
        ctx.header("ETag", etag);
        ctx.header("Accept-Ranges", "bytes");
        ctx.header("Content-Disposition", "attachment; filename=\"" + s.id() + ".zip\"");
        String inm = ctx.header("If-None-Match");
        if (inm != null && (inm.trim().equals("*") || java.util.Arrays.stream(inm.split(",")).map(String::trim).anyMatch(etag::equals))) {
            ctx.status(304);
            return;
        }
        long start = 0;
        long length = size;
        String range = ctx.header("Range");
        if (range != null) {
            long[] rg = ByteRange.parse(range, size);
            if (rg == null) {
                ctx.header("Content-Range", "bytes */" + size);
                throw new ProblemException(Problem.of(ErrorCode.INVALID_PARAMETER, "range not satisfiable: " + range, instance)
                        .with("size", size), null).withStatus(416);
            }
            if (rg.length == 2) {
                start = rg[0];
                length = rg[1] - rg[0] + 1;
                ctx.status(206);
                ctx.header("Content-Range", "bytes " + start + "-" + rg[1] + "/" + size);
            }
        }
        ctx.contentType("application/zip");
        ctx.header("Content-Length", String.valueOf(length));
        if (head) {
            return;
        }
        try {
            ctx.result(store.open(r.object(), start, length));
        } catch (ObjectNotFoundException e) {
            throw new ProblemException(Problem.of(ErrorCode.RESULT_EXPIRED, "the result is no longer stored", instance), null);
        } catch (IOException e) {
            throw storageDown(instance);
        }
    }

    static ProblemException storageDown(String instance) {
        return new ProblemException(Problem.of(ErrorCode.STORAGE_UNAVAILABLE, "object storage is unavailable", instance), 5);
    }

    private JobStatus lookup(Context ctx) {
        String id = ctx.pathParam("id");
        if (!JobId.isValid(id)) {
            throw new MeshpipeException(ErrorCode.INVALID_JOB_ID, "not a valid job id");
        }
        return statuses.get(id).orElseThrow(() -> new MeshpipeException(ErrorCode.JOB_NOT_FOUND, "no job " + id));
    }
}
