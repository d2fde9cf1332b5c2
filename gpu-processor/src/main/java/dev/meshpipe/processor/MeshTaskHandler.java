package dev.meshpipe.processor;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.common.MeshErrors;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobMeshed;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobTask;
import dev.meshpipe.common.events.MeshAccuracy;
import dev.meshpipe.common.events.MeshSummary;
import dev.meshpipe.common.events.OutputFile;
import dev.meshpipe.common.kafka.EventPublisher;
import dev.meshpipe.common.kafka.Outbox;
import dev.meshpipe.common.kafka.ProgressThrottle;
import dev.meshpipe.common.kafka.StageHandler;
import dev.meshpipe.common.store.DigestingOutputStream;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.common.store.ObjectNotFoundException;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.gpu.DeviceSelector;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.MeshOptions;
import dev.meshpipe.mesh.MeshResult;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.io.VolumeReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Meshes one task: reads the volume, runs {@link MeshJob} into the store, reports progress. */
final class MeshTaskHandler extends StageHandler<JobTask> {
    private static final Logger log = LoggerFactory.getLogger(MeshTaskHandler.class);
    private static final Stage STAGE = new Stage("processor", "meshing", "task");

    private final EventPublisher events;
    private final MeshJob.Extractor extractor;
    /** The configured device, named in progress events; the result names the one actually used. */
    private final String deviceName;
    private final VolumeLimits limits;
    /** Deliveries after which a job that keeps stopping its worker is failed. */
    static final int MAX_DELIVERIES = 3;
    /** MESHPIPE_FAULT_HALT_ON, or null: see {@link #haltIfFaultInjected}. */
    private final String haltOn;
    /** Jobs whose delivery this process has counted and not yet committed. */
    private final java.util.Set<String> countedHere = java.util.concurrent.ConcurrentHashMap.newKeySet();

    MeshTaskHandler(ObjectStore store, EventPublisher events, DeviceSelector.Choice device, VolumeLimits limits, String haltOn) {
        super(STAGE, JobTask.class, store);
        this.events = events;
        this.extractor = device.extractor();
        this.deviceName = device.device();
        this.limits = limits;
        this.haltOn = haltOn;
    }

    @Override
    protected String jobId(JobTask task) {
        return task.jobId();
    }

    @Override
    protected void process(ConsumerRecord<String, byte[]> rec, JobTask task, Outbox out) throws IOException {
        String id = task.jobId();
        int deliveries = countDelivery(id);
        if (deliveries > MAX_DELIVERIES) {
            String why = "the job stopped its worker " + MAX_DELIVERIES + " times in a row";
            log.error("job {}: {}; failing it and sending its task to the dead-letter topic", id, why);
            out.send(Topics.EVENTS, id, JobEvent.failed(id, ErrorCode.WORKER_CRASHED, why, STAGE.activity()));
            out.deadLetter(rec, STAGE.worker(), ErrorCode.WORKER_CRASHED, why);
            return;
        }
        haltIfFaultInjected(task);
        try {
            mesh(task, out);
        } catch (OutOfMemoryError e) {
            log.error("job {} ran out of memory", id);
            out.send(Topics.EVENTS, id, JobEvent.failed(id, ErrorCode.VOLUME_TOO_LARGE,
                    "the volume needs more memory than this worker has", STAGE.activity()));
        }
    }

    private void mesh(JobTask task, Outbox out) throws IOException {
        String id = task.jobId();
        progress(id, 1, "loading volume");
        Volume volume = MeshErrors.call(() -> load(task));
        List<OutputFile> files = new ArrayList<>();
        MeshOptions options = task.params().toMeshOptions();
        ProgressThrottle throttle = ProgressThrottle.perStep((percent, step) -> progress(id, percent, step));
        MeshResult result = MeshErrors.call(() -> MeshJob.run(volume, options, extractor, name -> upload(id, name, files),
                throttle::report));
        if (cancelled(id)) {
            log.info("job {} was cancelled while it ran; dropping its outputs", id);
            deleteOutputs(files);
            announceCancelled(out, id);
            return;
        }
        MeshSummary summary = MeshSummary.of(result.device(), result.vertices(), result.triangles(), result.watertight(),
                result.timingsMs()).withAccuracy(MeshAccuracy.of(result.quality())).withMode(result.mode(), result.modeReason());
        out.send(Topics.MESHED, id, new JobMeshed(id, task.tenant(), task.params(), files, summary, task.submittedAt(), Instant.now()));
        out.send(Topics.EVENTS, id, JobEvent.of(id, JobState.PROCESSING, 100, "meshed").withMesh(summary));
        log.info("job {} meshed: {} triangles on {}", id, result.triangles(), result.device());
    }

    @Override
    protected JobEvent unexpected(String jobId, RuntimeException e) {
        log.error("job {} failed unexpectedly", jobId, e);
        return JobEvent.failed(jobId, ErrorCode.MESHING_FAILED, "internal error while meshing", STAGE.activity());
    }

    private void deleteOutputs(List<OutputFile> files) throws IOException {
        for (OutputFile f : files) {
            store.delete(f.object());
        }
    }

    private Volume load(JobTask task) {
        InputRef in = task.input();
        if (in instanceof InputRef.Synthetic s) {
            return SyntheticVolumes.create(s.synthetic(), limits);
        }
        if (in instanceof InputRef.StoredObject o) {
            try (InputStream is = store.open(o.object())) {
                return VolumeReader.read(is, limits, task.params() == null ? null : task.params().series());
            } catch (ObjectNotFoundException e) {
                throw new MeshpipeException(ErrorCode.INPUT_NOT_FOUND, "the input object is gone");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new MeshpipeException(ErrorCode.INVALID_SUBMISSION, "tasks carry synthetic or stored inputs only");
    }

    /** Each output goes to the store through a digest, so the meshed event can name size and sha256. */
    private OutputStream upload(String jobId, String name, List<OutputFile> files) throws IOException {
        String key = ObjectKeys.work(jobId, name);
        ObjectStore.Upload upload = store.create(key);
        return new DigestingOutputStream(new java.io.BufferedOutputStream(upload, 1 << 16)) {
            @Override
            public void close() throws IOException {
                super.close();
                files.add(new OutputFile(name, key, size(), sha256()));
            }
        };
    }

    /**
     * Counts this delivery of the job in object storage, before any work, so a crash of the whole
     * process mid-job still counts. A classic consumer group has no delivery count of its own, and
     * a job that kills its worker would otherwise be redelivered forever, holding up its partition.
     * Returns the delivery's number, or 0 for a retry inside this process (a storage outage, not a
     * crash), which is neither counted nor read again.
     */
    private int countDelivery(String id) throws IOException {
        if (countedHere.contains(id)) {
            return 0;
        }
        String key = ObjectKeys.work(id, "deliveries");
        int n;
        try (InputStream in = store.open(key)) {
            n = Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim());
        } catch (ObjectNotFoundException | NumberFormatException e) {
            n = 0;
        }
        try (ObjectStore.Upload up = store.create(key)) {
            up.write(String.valueOf(n + 1).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        countedHere.add(id);
        return n + 1;
    }

    /** The job's outcome is committed: no retry of it can follow in this process. */
    @Override
    public void afterCommit(ConsumerRecord<String, byte[]> rec) {
        countedHere.remove(rec.key());
    }

    /**
     * Fault injection for the reliability tests: with MESHPIPE_FAULT_HALT_ON set to a synthetic
     * spec, a job with that input halts the JVM (as a native crash or the OOM killer would).
     */
    private void haltIfFaultInjected(JobTask task) {
        if (haltOn != null && task.input() instanceof InputRef.Synthetic s && haltOn.equals(s.synthetic())) {
            log.error("fault injection: halting on job {}", task.jobId());
            Runtime.getRuntime().halt(137);
        }
    }

    private void progress(String id, int pct, String stage) {
        events.publish(JobEvent.of(id, JobState.PROCESSING, pct, stage).withMesh(MeshSummary.runningOn(deviceName)));
    }
}
