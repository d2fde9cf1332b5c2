package dev.meshpipe.packager;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobCompleted;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobMeshed;
import dev.meshpipe.common.events.JobResult;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.OutputFile;
import dev.meshpipe.common.kafka.CommittedKeys;
import dev.meshpipe.common.kafka.Outbox;
import dev.meshpipe.common.kafka.ProgressThrottle;
import dev.meshpipe.common.kafka.StageHandler;
import dev.meshpipe.common.kafka.TransactionalWorker;
import dev.meshpipe.common.store.Cancellation;
import dev.meshpipe.common.store.DigestingOutputStream;
import dev.meshpipe.common.store.ObjectInfo;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.MeshFormat;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checks a meshed job's outputs, zips them into the store and announces completion. */
final class PackageHandler extends StageHandler<JobMeshed> {
    private static final Logger log = LoggerFactory.getLogger(PackageHandler.class);
    private static final Stage STAGE = new Stage("packager", "packaging", "meshed event");

    /**
     * How far before a job's submission its completion record is looked for: the gateway's and the
     * packager's clocks may differ.
     */
    private static final Duration CLOCK_SKEW = Duration.ofHours(1);

    private final java.util.function.Consumer<JobEvent> progress;
    private final Duration retention;
    private final Announcements announcements;

    /** Whether a job's completion record is already committed, written at or after a time ({@link CommittedKeys}). */
    @FunctionalInterface
    interface Announcements {
        boolean committed(String jobId, Instant since);
    }

    PackageHandler(ObjectStore store, java.util.function.Consumer<JobEvent> progress, Duration retention, Announcements announcements) {
        super(STAGE, JobMeshed.class, store);
        this.progress = progress;
        this.retention = retention;
        this.announcements = announcements;
    }

    @Override
    protected String jobId(JobMeshed meshed) {
        return meshed.jobId();
    }

    @Override
    protected String incomplete(JobMeshed meshed) {
        return meshed.files() == null ? "meshed event has no files" : null;
    }

    /** A ZIP from an attempt whose commit was lost goes too. */
    @Override
    protected void skipCancelled(JobMeshed meshed, Outbox out) throws IOException {
        deleteWork(meshed.jobId());
        dropCancelled(out, meshed.jobId());
    }

    @Override
    protected void process(ConsumerRecord<String, byte[]> rec, JobMeshed meshed, Outbox out)
            throws IOException, TransactionalWorker.RetryableException {
        String id = meshed.jobId();
        String zipKey = ObjectKeys.result(id);
        boolean zipped = store.head(zipKey).isPresent();
        if (zipped && announced(meshed)) {
            // Done before, and its announcement committed. The one rule that keeps a job
            // completed once: a job with a committed completion is never announced again, whatever
            // was redelivered. A redelivery does not prove the announcement was lost: after a
            // crash of the broker the offset commit can be lost (a hanging transaction aborted on
            // __consumer_offsets alone) while the records committed, and the processor may then
            // mesh the job again too. Only the offset commits now; afterCommit deletes any work files.
            log.warn("job {}: redelivered, but its completion is already committed; not announcing it again", id);
            return;
        }
        if (zipped && store.list(ObjectKeys.workPrefix(id)).isEmpty()) {
            // A ZIP whose intermediate files are gone was made and handed to a commit (the files
            // go only after one), and that announcement is not on the completed topic: the broker
            // lost it (a hanging transaction, aborted after a crash). The ZIP stands: announce it
            // again, without packaging again, unless a cancel came in meanwhile (nothing was
            // announced, so the cancel still wins).
            if (!Cancellation.mayComplete(store, id)) {
                dropCancelled(out, id);
                return;
            }
            log.warn("job {}: its ZIP exists but its announcement did not commit; announcing it again", id);
            announce(out, meshed, storedResult(zipKey));
            return;
        }
        List<String> missing = missingOutputs(meshed);
        if (!missing.isEmpty()) {
            out.send(Topics.EVENTS, id, JobEvent.failed(id, ErrorCode.INCOMPLETE_RESULTS,
                    "missing or empty outputs: " + String.join(", ", missing), STAGE.activity()));
            return;
        }
        progress.accept(JobEvent.of(id, JobState.PACKAGING, 0, "packaging"));
        ObjectStore.Upload upload = store.create(zipKey);
        DigestingOutputStream digest = new DigestingOutputStream(upload);
        try {
            ZipPackager.write(meshed, store, digest, compressing(id, meshed));
        } catch (IOException | RuntimeException e) {
            upload.abort();
            digest.close();
            throw e;
        }
        digest.close();
        copyPreview(meshed);
        // The single decision point between a cancel and this completion: from here on a
        // cancel leaves the outcome to this transaction, and before here the cancel wins.
        if (!Cancellation.mayComplete(store, id)) {
            dropCancelled(out, id);
            return;
        }
        announce(out, meshed, new JobResult(zipKey, digest.size(), digest.sha256(), Instant.now().plus(retention)));
        log.info("job {} packaged: {} bytes", id, digest.size());
    }

    /**
     * PACKAGING progress while the outputs are compressed: the share of their bytes read so far,
     * at most four events a second and never 100 (SUCCEEDED says that).
     */
    private java.util.function.LongConsumer compressing(String id, JobMeshed meshed) {
        long total = Math.max(1, meshed.files().stream().mapToLong(OutputFile::size).sum());
        ProgressThrottle throttle = ProgressThrottle.rising("compressing",
                (percent, step) -> progress.accept(JobEvent.of(id, JobState.PACKAGING, percent, step)));
        return read -> throttle.report((int) Math.min(99, 100 * read / total), "compressing");
    }

    /** The completion record and the SUCCEEDED event, committed with the meshed event's offset. */
    private static void announce(Outbox out, JobMeshed meshed, JobResult result) {
        String id = meshed.jobId();
        out.send(Topics.COMPLETED, id, new JobCompleted(id, meshed.tenant(), result, meshed.mesh(), meshed.submittedAt(), Instant.now()));
        out.send(Topics.EVENTS, id, JobEvent.of(id, JobState.SUCCEEDED, 100, "done")
                .withMesh(meshed.mesh()).withResult(result));
    }

    /** A cancel won: no result stays behind (the ZIP may be made already), and no completion is announced. */
    private void dropCancelled(Outbox out, String id) throws IOException {
        log.info("job {} was cancelled; dropping any result of it", id);
        for (String key : new String[] {ObjectKeys.result(id), ObjectKeys.preview(id), ObjectKeys.viewerGlb(id), ObjectKeys.quality(id)}) {
            store.delete(key);
        }
        announceCancelled(out, id);
    }

    /** The stored ZIP as a result: its size, its SHA-256 read again, and the expiry the expirer will apply. */
    private JobResult storedResult(String zipKey) throws IOException {
        ObjectInfo info = store.head(zipKey).orElseThrow(() -> new IOException("the ZIP " + zipKey + " went away"));
        DigestingOutputStream digest = new DigestingOutputStream(java.io.OutputStream.nullOutputStream());
        try (java.io.InputStream in = store.open(zipKey)) {
            in.transferTo(digest);
        }
        digest.close();
        Instant made = info.lastModified() != null ? info.lastModified() : Instant.now();
        return new JobResult(zipKey, digest.size(), digest.sha256(), made.plus(retention));
    }

    /** The gateway serves the preview, the GLB (the web page's 3D view) and quality.json on their own, so copies stay beside the ZIP. */
    private void copyPreview(JobMeshed meshed) throws IOException {
        copyBeside(meshed, "preview.png", ObjectKeys.preview(meshed.jobId()));
        copyBeside(meshed, labelMode(meshed) ? "labels.glb" : "mesh.glb", ObjectKeys.viewerGlb(meshed.jobId()));
        copyBeside(meshed, "quality.json", ObjectKeys.quality(meshed.jobId()));
    }

    private void copyBeside(JobMeshed meshed, String fileName, String key) throws IOException {
        Optional<OutputFile> file = meshed.files().stream().filter(f -> f.name().equals(fileName)).findFirst();
        if (file.isPresent()) {
            try (java.io.InputStream in = store.open(file.get().object()); ObjectStore.Upload up = store.create(key)) {
                in.transferTo(up);
            }
        }
    }

    private void deleteWork(String jobId) throws IOException {
        for (ObjectInfo o : store.list(ObjectKeys.workPrefix(jobId))) {
            store.delete(o.key());
        }
    }

    /** Whether this job's completion is already committed; broker trouble is retried like storage trouble. */
    private boolean announced(JobMeshed meshed) throws TransactionalWorker.RetryableException {
        Instant submitted = meshed.submittedAt() != null ? meshed.submittedAt() : Instant.now().minus(retention);
        try {
            return announcements.committed(meshed.jobId(), submitted.minus(CLOCK_SKEW));
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new TransactionalWorker.RetryableException("could not read the completed topic: " + e.getMessage(), e);
        }
    }

    private List<String> missingOutputs(JobMeshed meshed) throws IOException {
        Set<String> required = new LinkedHashSet<>();
        if (labelMode(meshed)) {
            // Which structures exist only the label map knows, so each file the processor listed must be there.
            meshed.files().forEach(f -> required.add(f.name()));
        } else {
            for (MeshFormat f : meshed.params().formatsOrDefault()) {
                required.add(f.fileName());
            }
            required.add("preview.png");
        }
        required.add("quality.json");
        List<String> missing = new ArrayList<>();
        for (String name : required) {
            Optional<OutputFile> f = meshed.files().stream().filter(o -> o.name().equals(name)).findFirst();
            Optional<ObjectInfo> info = f.isPresent() ? store.head(f.get().object()) : Optional.empty();
            if (info.isEmpty() || info.get().size() == 0) {
                missing.add(name);
            }
        }
        return missing;
    }

    /**
     * A label map meshed per structure: its outputs are {@code labels/...}, {@code labels.glb} and
     * {@code labels.3mf}, never the isosurface's {@code mesh.*}. Told by the files, since in auto mode
     * only the processor knows which mode ran.
     */
    static boolean labelMode(JobMeshed meshed) {
        return meshed.files().stream().anyMatch(f -> f.name().startsWith("labels/") || f.name().startsWith("labels."));
    }

    /** After the commit the ZIP stands for the intermediate files, which can go. */
    @Override
    public void afterCommit(ConsumerRecord<String, byte[]> rec) {
        String jobId = rec.key();
        if (!dev.meshpipe.common.JobId.isValid(jobId)) {
            return;
        }
        try {
            deleteWork(jobId);
        } catch (IOException e) {
            log.warn("could not delete intermediate files of job {}: {}", jobId, e.toString());
        }
    }
}
