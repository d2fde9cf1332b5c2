package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshErrors;
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
import dev.meshpipe.common.store.Cancellation;
import dev.meshpipe.common.store.ObjectInfo;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/** The job routes: submit, status, download, preview and cancel (see docs/api.md). */
final class JobRoutes {
    /** Bytes of an upload read before its header is checked; covers a gzip stream's first 348 bytes. */
    static final int HEAD_BYTES = 64 * 1024;
    static final int MAX_JSON_BYTES = 1024 * 1024;
    static final int MAX_IDEMPOTENCY_KEY = 200;
    static final String IDEMPOTENT_PREFIX = "idem-";
    /** How long a submission waits for its own QUEUED event to reach the status store. */
    static final long READ_YOUR_WRITES_MS = 10_000;

    private final ObjectStore store;
    private final EventPublisher producer;
    private final StatusStore statuses;
    private final Auth auth;
    private final long maxUploadBytes;
    private final VolumeLimits limits;
    private final java.time.Duration linkLifetime;
    private final EdgeLimits edge;

    JobRoutes(ObjectStore store, EventPublisher producer, StatusStore statuses, Auth auth, long maxUploadBytes,
              VolumeLimits limits, java.time.Duration linkLifetime, EdgeLimits edge) {
        this.edge = edge;
        this.store = store;
        this.producer = producer;
        this.statuses = statuses;
        this.auth = auth;
        this.maxUploadBytes = maxUploadBytes;
        this.limits = limits;
        this.linkLifetime = linkLifetime;
    }

    void submit(Context ctx) throws Exception {
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
        boolean json = type.equals("application/json");
        if (!json && !type.equals("application/octet-stream") && !isZipUpload(type)) {
            throw new MeshpipeException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "send the volume as application/octet-stream, a DICOM series as application/zip, or a JSON request as application/json");
        }
        String tenant = Auth.tenant(ctx);
        String idemKey = ctx.header("Idempotency-Key");
        String id = idemKey != null ? idempotentId(tenant, idemKey) : null;
        // The same key again: the same job, not a second one, if it is the same request.
        Optional<JobStatus> existing = id != null ? statuses.get(id) : Optional.empty();
        if (existing.isPresent() && !auth.visible(ctx, existing.get())) {
            throw idTaken(id); // only a Kafka producer can have used a key-derived id
        }
        JobSubmission submission;
        String fingerprint;
        boolean chosenId = false;
        if (json) {
            JsonRequest req = readJson(ctx);
            fingerprint = fingerprint("json", Json.bytes(req));
            if (existing.isPresent()) {
                answerRepeat(ctx, existing.get(), fingerprint);
                return;
            }
            if (id != null && req.id() != null) {
                // The key names the job; a chosen id beside it would be silently dropped.
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "send either an 'id' or an Idempotency-Key, not both");
            }
            if (req.id() != null) {
                id = chosenId(req.id());
                chosenId = true;
                if (statuses.get(id).isPresent()) {
                    throw idTaken(id);
                }
            }
            requireQuota(tenant);
            id = id != null ? id : JobId.newId();
            submission = new JobSubmission(req.input(), req.params(), tenant, Instant.now());
        } else {
            JobParams params = withSeries(paramsFromQuery(ctx), ctx.queryParam("series"));
            MessageDigest body = sha256();
            if (existing.isPresent()) {
                upload(ctx, null, body);
                answerRepeat(ctx, existing.get(), fingerprint("upload", Json.bytes(params), body.digest()));
                return;
            }
            requireQuota(tenant);
            id = id != null ? id : JobId.newId();
            upload(ctx, id, body);
            fingerprint = fingerprint("upload", Json.bytes(params), body.digest());
            submission = new JobSubmission(new InputRef.StoredObject(ObjectKeys.input(id), null), params, tenant, Instant.now());
        }
        String name = submission.params() == null ? null : submission.params().name();
        producer.publishAndWait(Topics.SUBMITTED, id, submission);
        JobEvent queued = JobEvent.of(id, JobState.QUEUED, 0, "submitted").withSubmission(tenant, name, submission.submittedAt())
                .withFingerprint(fingerprint);
        if (!chosenId) {
            // QUEUED is published here and awaited in the owning store, so any instance knows the
            // job once this request answers (read-your-writes). A chosen id may be submitted by
            // someone else at the same moment, and its owner is whoever ingest admits first: ingest's
            // own QUEUED or FAILED event, the first to name a tenant, says who (docs/api.md).
            producer.publishAndWait(Topics.EVENTS, id, queued);
        }
        JobStatus status = statuses.await(id, st -> !auth.enabled() || st.tenant() != null, READ_YOUR_WRITES_MS)
                .orElse(JobStatus.initial(queued));
        if (!auth.visible(ctx, status)) {
            throw idTaken(id);
        }
        if (idemKey != null) {
            // Two different requests racing with one key: the job is the first's, so the second learns it.
            answerRepeat(ctx, status, fingerprint);
            return;
        }
        ctx.status(202).header("Location", "/jobs/" + id).json(view(status));
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
        ctx.status(202).header("Location", "/jobs/" + existing.id()).json(view(existing));
    }

    /** 429 when the tenant is at its limit of unfinished jobs or of stored results (both off by default). */
    private void requireQuota(String tenant) {
        if (edge.tenantMaxActiveJobs() <= 0 && edge.tenantMaxStoredBytes() <= 0) {
            return;
        }
        StatusStore.Usage u = statuses.usage(tenant);
        if (edge.tenantMaxActiveJobs() > 0 && u.activeJobs() >= edge.tenantMaxActiveJobs()) {
            throw new ProblemException(Problem.of(ErrorCode.TENANT_QUOTA_EXCEEDED, "this tenant has " + u.activeJobs()
                    + " unfinished jobs, its limit; submit again when one has finished", null)
                    .with("activeJobs", u.activeJobs()).with("limit", edge.tenantMaxActiveJobs()), 30);
        }
        if (edge.tenantMaxStoredBytes() > 0 && u.storedBytes() >= edge.tenantMaxStoredBytes()) {
            throw new ProblemException(Problem.of(ErrorCode.TENANT_QUOTA_EXCEEDED, "this tenant's results take " + u.storedBytes()
                    + " bytes, its limit; submit again when some have expired", null)
                    .with("storedBytes", u.storedBytes()).with("limit", edge.tenantMaxStoredBytes()), 300);
        }
    }

    /** A hash of what a request asks for: its kind and each part, length-prefixed so parts cannot run together. */
    static String fingerprint(String kind, byte[]... parts) {
        MessageDigest d = sha256();
        d.update(kind.getBytes(StandardCharsets.UTF_8));
        for (byte[] p : parts) {
            d.update(java.nio.ByteBuffer.allocate(8).putLong(p.length).array());
            d.update(p);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The id a JSON request names for its job; {@code idem-} ids are kept for Idempotency-Key. */
    static String chosenId(String id) {
        JobId.require(id);
        if (id.startsWith(IDEMPOTENT_PREFIX)) {
            throw new MeshpipeException(ErrorCode.INVALID_JOB_ID, "job ids starting with '" + IDEMPOTENT_PREFIX + "' are kept for Idempotency-Key");
        }
        return id;
    }

    /**
     * A job id names one job among all tenants'. Whoever holds it, the refusal is this same
     * answer, which says nothing of the job: not its owner, its state or its name.
     */
    private static MeshpipeException idTaken(String id) {
        return new MeshpipeException(ErrorCode.JOB_ID_TAKEN, "the job id '" + id + "' is taken; choose another"
                + " (to retry a submission safely, send an Idempotency-Key)");
    }

    /** A job id derived from the tenant and the client's key: retries map to one job, tenants never collide. */
    static String idempotentId(String tenant, String key) {
        if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "Idempotency-Key must be 1-" + MAX_IDEMPOTENCY_KEY + " characters");
        }
        byte[] h = sha256().digest(((tenant == null ? "" : tenant) + "\n" + key).getBytes(StandardCharsets.UTF_8));
        return IDEMPOTENT_PREFIX + HexFormat.of().formatHex(h, 0, 20);
    }

    /** Reads and checks the JSON form; returns it with validated params. */
    private JsonRequest readJson(Context ctx) throws IOException {
        byte[] body = ctx.bodyInputStream().readNBytes(MAX_JSON_BYTES + 1);
        if (body.length > MAX_JSON_BYTES) {
            throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "JSON requests are limited to " + MAX_JSON_BYTES + " bytes");
        }
        return parseJson(body, limits);
    }

    /** Checks a JSON request body: the request with validated params, or MeshpipeException saying what is wrong. */
    static JsonRequest parseJson(byte[] body, VolumeLimits limits) {
        JsonRequest req;
        try {
            req = Json.read(body, JsonRequest.class);
        } catch (IOException e) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, Json.requestBodyProblem(e));
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
            MeshErrors.call(() -> SyntheticVolumes.validate(s.synthetic(), limits));
        }
        if (req.input() instanceof InputRef.StoredObject o && (req.id() == null || !String.valueOf(o.object()).startsWith("inputs/" + req.id() + "/"))) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "an 'object' input needs an 'id', and the object must be under inputs/{id}/");
        }
        JobParams params = (req.params() == null ? JobParams.defaults() : req.params()).validated();
        return new JsonRequest(req.id(), req.input(), params);
    }

    /** The JSON form of {@code POST /jobs}; {@code id} lets a client name its job (and its input key). */
    record JsonRequest(String id, InputRef input, JobParams params) {}

    private static JobParams paramsFromQuery(Context ctx) {
        JobParams base = paramsFromQuery(ctx.queryParam("iso"), ctx.queryParam("borders"), ctx.queryParam("formats"), ctx.queryParam("name"),
                ctx.queryParam("space"));
        return withFinishingFromQuery(base, ctx::queryParam);
    }

    /** A ZIP of DICOM files: stored and claim-checked like any upload; the reader knows it by its magic. */
    static boolean isZipUpload(String type) {
        return type.equals("application/zip") || type.equals("application/x-zip-compressed");
    }

    /** The upload's {@code series} query parameter (a DICOM SeriesInstanceUID or SeriesNumber). */
    static JobParams withSeries(JobParams p, String series) {
        return p.withSpaceAndSeries(p.space(), series).validated();
    }

    /** The finishing query parameters (preset, smoothing, decimate, ...) over validated params. */
    static JobParams withFinishingFromQuery(JobParams base, java.util.function.UnaryOperator<String> query) {
        return base.withFinishing(query.apply("preset"), query.apply("smoothing"), query.apply("decimate"),
                JobParams.parseNumber("maxError", query.apply("maxError")),
                JobParams.parseFlag("keepLargest", query.apply("keepLargest")),
                JobParams.parseFlag("fillCavities", query.apply("fillCavities")),
                JobParams.parseNumber("minComponentVolume", query.apply("minComponentVolume"))).validated();
    }

    /** The upload's query parameters as validated JobParams, or MeshpipeException naming the bad one. */
    static JobParams paramsFromQuery(String iso, String borders, String formats, String name, String space) {
        return new JobParams(iso,
                borders == null ? null : JobParams.parseBorders(borders),
                formats == null ? null : JobParams.parseFormats(formats),
                name).withSpaceAndSeries(space, null).validated();
    }

    /**
     * Streams the body into the store ({@code id} null: reads it only, for its digest). The header
     * is checked from the first bytes, before the rest is read, so a bad volume is refused before
     * anything is stored. A body that stops arriving for the idle timeout is 408.
     */
    private void upload(Context ctx, String id, MessageDigest digest) throws IOException {
        try {
            streamUpload(ctx, id, digest);
        } catch (IOException e) {
            if (isIdleTimeout(e)) {
                throw new MeshpipeException(ErrorCode.UPLOAD_TIMEOUT, "the upload stalled: no bytes arrived for "
                        + edge.idleTimeout().toSeconds() + " s; nothing was stored, send it again");
            }
            throw e;
        }
    }

    private void streamUpload(Context ctx, String id, MessageDigest digest) throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxUploadBytes) {
            throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "upload of " + declared + " bytes exceeds the limit of " + maxUploadBytes);
        }
        if (id != null) {
            requireFreeSpace(Math.max(declared, 0));
        }
        InputStream body = new java.security.DigestInputStream(ctx.bodyInputStream(), digest);
        byte[] head = body.readNBytes(HEAD_BYTES);
        if (head.length == 0) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "the request body is empty");
        }
        try {
            MeshErrors.call(() -> VolumeReader.describeHeader(new ByteArrayInputStream(head), limits));
        } catch (EOFException e) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "the volume ends inside its header");
        } catch (java.util.zip.ZipException e) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "corrupt gzip data");
        }
        ObjectStore.Upload up;
        try {
            up = id == null ? DISCARD : store.create(ObjectKeys.input(id));
        } catch (IOException e) {
            throw JobRoutes.storageDown(ctx.path());
        }
        try {
            up.write(head);
            long total = head.length;
            long nextCheck = total + FREE_SPACE_CHECK_BYTES;
            byte[] buf = new byte[1 << 16];
            for (int n; (n = body.read(buf)) > 0; ) {
                total += n;
                if (total > maxUploadBytes) {
                    throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "upload exceeds the limit of " + maxUploadBytes + " bytes");
                }
                if (id != null && total >= nextCheck) {
                    requireFreeSpace(0); // other uploads and results fill the same disk meanwhile
                    nextCheck = total + FREE_SPACE_CHECK_BYTES;
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

    /** How often, in bytes written, an upload checks the free space again. */
    static final long FREE_SPACE_CHECK_BYTES = 1L << 20;

    /** Where a repeated upload's bytes go: they are only read for their digest. */
    private static final ObjectStore.Upload DISCARD = new ObjectStore.Upload() {
        @Override
        public void write(int b) { }

        @Override
        public void write(byte[] b, int off, int len) { }

        @Override
        public void abort() { }

        @Override
        public void close() { }
    };

    /** 507 when writing {@code more} bytes would leave the store's disk below the configured floor. */
    private void requireFreeSpace(long more) {
        java.util.OptionalLong free;
        try {
            free = store.usableSpace();
        } catch (IOException e) {
            throw new MeshpipeException(ErrorCode.STORAGE_UNAVAILABLE, "object storage is unavailable");
        }
        if (free.isPresent() && free.getAsLong() - more < edge.minFreeBytes()) {
            throw new MeshpipeException(ErrorCode.INSUFFICIENT_STORAGE, "the object store has " + free.getAsLong()
                    + " bytes free and keeps at least " + edge.minFreeBytes() + " free; this upload does not fit now");
        }
    }

    /** Whether reading the body failed because the client sent nothing for the idle timeout (Jetty's TimeoutException). */
    static boolean isIdleTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    void status(Context ctx) {
        JobStatus s = lookup(ctx);
        if (auth.enabled() && s.state() == JobState.SUCCEEDED) {
            ctx.json(view(s)); // a signed link, fresh each time
            return;
        }
        RenderedView v = rendered.get(s.id());
        if (v == null || v.status() != s) {
            v = new RenderedView(s, Json.bytes(view(s)));
            if (rendered.size() >= MAX_RENDERED) {
                rendered.clear(); // a memo only: any entry may go at any time
            }
            rendered.put(s.id(), v);
        }
        ctx.contentType(io.javalin.http.ContentType.APPLICATION_JSON).result(v.json());
    }

    /** A status's JSON view, reused while the status store hands out that same status object. */
    private record RenderedView(JobStatus status, byte[] json) {}

    private static final int MAX_RENDERED = 50_000;
    private final java.util.concurrent.ConcurrentHashMap<String, RenderedView> rendered = new java.util.concurrent.ConcurrentHashMap<>();

    /** The public view, with a signed download link when tokens are on. */
    private StatusView view(JobStatus s) {
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

    /** GET and HEAD /jobs/{id}/download: the download contract (docs/api.md). */
    void download(Context ctx, boolean head) {
        JobStatus s = lookup(ctx);
        JobResult r = ready(ctx, s);
        serve(ctx, head, r.object(), "application/zip", "\"" + r.sha256() + "\"",
                "attachment; filename=\"" + dev.meshpipe.common.ZipNames.fileName(s.name(), s.id()) + "\"");
    }

    /** GET /jobs/{id}/preview.png of a finished job. */
    void preview(Context ctx) {
        JobStatus s = lookup(ctx);
        ready(ctx, s);
        serve(ctx, false, ObjectKeys.preview(s.id()), "image/png", null, null);
    }

    /** GET /jobs/{id}/mesh.glb of a finished job that asked for GLB: the web page's 3D view. */
    void glb(Context ctx) {
        JobStatus s = lookup(ctx);
        JobResult r = ready(ctx, s);
        try {
            serve(ctx, false, ObjectKeys.viewerGlb(s.id()), "model/gltf-binary", null, null);
        } catch (ProblemException e) {
            // No GLB beside a ZIP that is still there: the job never asked for one (checked only then).
            if (e.problem.code().equals(ErrorCode.RESULT_EXPIRED.name()) && exists(r.object(), ctx)) {
                throw new ProblemException(Problem.of(ErrorCode.NOT_FOUND, "this job did not ask for the GLB format", ctx.path()), null);
            }
            throw e;
        }
    }

    private boolean exists(String key, Context ctx) {
        try {
            return store.head(key).isPresent();
        } catch (IOException e) {
            throw storageDown(ctx.path());
        }
    }

    /** GET /jobs/{id}/quality.json of a finished job: its mesh metrics. */
    void quality(Context ctx) {
        JobStatus s = lookup(ctx);
        ready(ctx, s);
        serve(ctx, false, ObjectKeys.quality(s.id()), "application/json", null, null);
    }

    /** The result of a SUCCEEDED, unexpired job, or the problem that says why there is none. */
    private JobResult ready(Context ctx, JobStatus s) {
        String instance = ctx.path();
        switch (s.state()) {
            case QUEUED, PROCESSING, PACKAGING -> throw new ProblemException(Problem.of(ErrorCode.JOB_NOT_READY,
                    "job is " + s.state() + " (" + s.progress() + "%)", instance)
                    .with("state", s.state()).with("progress", s.progress()).with("stage", s.stage()), 2);
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
        return r;
    }

    /** Streams an object with ETag, Range (one range; several get the whole), If-Range and If-None-Match. */
    private void serve(Context ctx, boolean head, String key, String type, String etag, String disposition) {
        String instance = ctx.path();
        long size;
        try {
            Optional<ObjectInfo> info = store.head(key);
            if (info.isEmpty()) {
                throw new ProblemException(Problem.of(ErrorCode.RESULT_EXPIRED, "the result is no longer stored", instance), null);
            }
            size = info.get().size();
        } catch (IOException e) {
            throw storageDown(instance);
        }
        if (etag != null) {
            ctx.header("ETag", etag);
            if (Conditionals.noneMatchHits(ctx.header("If-None-Match"), etag)) {
                ctx.status(304);
                return;
            }
        }
        ctx.header("Accept-Ranges", "bytes");
        if (disposition != null) {
            ctx.header("Content-Disposition", disposition);
        }
        long start = 0;
        long length = size;
        String range = ctx.header("Range");
        if (range != null && Conditionals.rangeApplies(ctx.header("If-Range"), etag)) {
            ByteRange rg = ByteRange.parse(range, size);
            if (rg.kind() == ByteRange.Kind.UNSATISFIABLE) {
                ctx.header("Content-Range", "bytes */" + size);
                throw new ProblemException(Problem.of(ErrorCode.INVALID_PARAMETER, "range not satisfiable: " + range, instance)
                        .with("size", size), null).withStatus(416);
            }
            if (rg.kind() == ByteRange.Kind.RANGE) {
                start = rg.first();
                length = rg.length();
                ctx.status(206);
                ctx.header("Content-Range", "bytes " + start + "-" + rg.last() + "/" + size);
            }
        }
        ctx.contentType(type);
        ctx.header("Content-Length", String.valueOf(length));
        if (head) {
            return;
        }
        try {
            ctx.result(store.open(key, start, length));
        } catch (ObjectNotFoundException e) {
            throw new ProblemException(Problem.of(ErrorCode.RESULT_EXPIRED, "the result is no longer stored", instance), null);
        } catch (IOException e) {
            throw storageDown(instance);
        }
    }

    /**
     * DELETE /jobs/{id}: cancels a job that has not finished. The first terminal event on the
     * events topic decides (docs/architecture.md, "Cancel versus completion"), and the answer is
     * the one it decided: 202 with CANCELLED, or 409 when the job finished first.
     */
    void cancel(Context ctx) throws Exception {
        JobStatus s = lookup(ctx);
        if (s.state().isFinished()) {
            throw alreadyFinished(ctx, s);
        }
        boolean cancelWins;
        try {
            // The marker stops the processor and packager; the event stops the status.
            cancelWins = Cancellation.request(store, s.id());
        } catch (IOException e) {
            throw storageDown(ctx.path());
        }
        if (cancelWins) {
            producer.publishAndWait(Topics.EVENTS, s.id(), JobEvent.of(s.id(), JobState.CANCELLED, s.progress(), "cancelled"));
        }
        // Otherwise the packager may have decided to complete the job already: its transaction
        // announces either the result or CANCELLED, and that is the answer.
        JobStatus now = statuses.await(s.id(), st -> st.state().isFinished(), READ_YOUR_WRITES_MS).orElse(s);
        if (now.state().isFinished() && now.state() != JobState.CANCELLED) {
            throw alreadyFinished(ctx, now);
        }
        // CANCELLED, or (the status store lagging past the wait) a cancel taken but not yet confirmed.
        ctx.status(202).json(view(now));
    }

    private static ProblemException alreadyFinished(Context ctx, JobStatus s) {
        return new ProblemException(Problem.of(ErrorCode.JOB_ALREADY_FINISHED, "job is already " + s.state(), ctx.path())
                .with("state", s.state()), null);
    }

    static ProblemException storageDown(String instance) {
        return new ProblemException(Problem.of(ErrorCode.STORAGE_UNAVAILABLE, "object storage is unavailable", instance), 5);
    }

    /** The job named in the path, if the caller may see it. */
    private JobStatus lookup(Context ctx) {
        String id = ctx.pathParam("id");
        if (!JobId.isValid(id)) {
            throw new MeshpipeException(ErrorCode.INVALID_JOB_ID, "not a valid job id");
        }
        return statuses.get(id).filter(s -> auth.visible(ctx, s))
                .orElseThrow(() -> new MeshpipeException(ErrorCode.JOB_NOT_FOUND, "no job " + id));
    }
}
