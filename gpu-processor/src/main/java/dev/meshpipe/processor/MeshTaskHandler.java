package dev.meshpipe.processor;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobMeshed;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobTask;
import dev.meshpipe.common.events.OutputFile;
import dev.meshpipe.common.kafka.EventPublisher;
import dev.meshpipe.common.kafka.Outbox;
import dev.meshpipe.common.kafka.TransactionalWorker;
import dev.meshpipe.common.store.DigestingOutputStream;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.common.store.ObjectNotFoundException;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.MeshJob;
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
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Meshes one task: reads the volume, runs {@link MeshJob} into the store, reports progress. */
final class MeshTaskHandler implements TransactionalWorker.Handler {
    private static final Logger log = LoggerFactory.getLogger(MeshTaskHandler.class);
    private static final JsonSerde<JobTask> TASK = JsonSerde.of(JobTask.class);

    private final ObjectStore store;
    private final EventPublisher events;
    private final MeshJob.Extractor extractor;
    /** The configured device, named in progress events; the result names the one actually used. */
    private final String deviceName;
    private final VolumeLimits limits;

    MeshTaskHandler(ObjectStore store, EventPublisher events, DeviceSelector.Choice device, VolumeLimits limits) {
        this.store = store;
        this.events = events;
        this.extractor = device.extractor();
        this.deviceName = device.device();
        this.limits = limits;
    }

    @Override
    public void handle(ConsumerRecord<String, byte[]> rec, Outbox out) throws TransactionalWorker.RetryableException {
        JobTask task;
        try {
            task = TASK.decode(rec.value());
            if (task == null || task.jobId() == null || !task.jobId().equals(rec.key())) {
                throw new SerializationException("task has no job id or it differs from the key");
            }
        } catch (SerializationException e) {
            out.deadLetter(rec, "processor", ErrorCode.INVALID_SUBMISSION, e.getMessage());
            return;
        }
        String id = task.jobId();
        try {
            if (cancelled(id)) {
                log.info("job {} was cancelled before it started", id);
                return;
            }
            progress(id, 1, "loading volume");
            Volume volume = load(task);
            List<OutputFile> files = new ArrayList<>();
            MeshJob.Options options = new MeshJob.Options(task.params().iso(), task.params().borders(), task.params().formats());
            MeshJob.Result result = MeshJob.run(volume, options, extractor, name -> upload(id, name, files),
                    new ThrottledProgress(id));
            if (cancelled(id)) {
                log.info("job {} was cancelled while it ran; dropping its outputs", id);
                deleteOutputs(files);
                return;
            }
            String usedDevice = result.quality().device();
            JobMeshed meshed = new JobMeshed(id, task.tenant(), task.params(), files, usedDevice,
                    result.quality().vertices(), result.quality().triangles(), result.quality().watertight(),
                    result.quality().timingsMs(), task.submittedAt(), Instant.now());
            out.send(Topics.MESHED, id, meshed);
            out.send(Topics.EVENTS, id, JobEvent.of(id, JobState.PROCESSING, 100, "meshed")
                    .withDevice(usedDevice, result.quality().triangles()));
            log.info("job {} meshed: {} triangles on {}", id, result.quality().triangles(), usedDevice);
        } catch (MeshpipeException e) {
            log.info("job {} failed: {} {}", id, e.code(), e.getMessage());
            out.send(Topics.EVENTS, id, JobEvent.failed(id, e.code(), e.getMessage(), "meshing"));
        } catch (UncheckedIOException e) {
            throw new TransactionalWorker.RetryableException("storage: " + e.getCause().getMessage(), e);
        } catch (IOException e) {
            throw new TransactionalWorker.RetryableException("storage: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            log.error("job {} ran out of memory", id);
            out.send(Topics.EVENTS, id, JobEvent.failed(id, ErrorCode.VOLUME_TOO_LARGE,
                    "the volume needs more memory than this worker has", "meshing"));
        } catch (RuntimeException e) {
            log.error("job {} failed unexpectedly", id, e);
            out.send(Topics.EVENTS, id, JobEvent.failed(id, ErrorCode.MESHING_FAILED, "internal error while meshing", "meshing"));
        }
    }

    @Override
    public void giveUp(ConsumerRecord<String, byte[]> rec, Exception cause, Outbox out) {
        out.send(Topics.EVENTS, rec.key(), JobEvent.failed(rec.key(), ErrorCode.STORAGE_UNAVAILABLE,
                "object storage stayed unavailable: " + cause.getMessage(), "meshing"));
    }

    private boolean cancelled(String id) throws IOException {
        return store.head(ObjectKeys.cancelled(id)).isPresent();
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
                return VolumeReader.read(is, limits);
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

    private void progress(String id, int pct, String stage) {
        events.publish(JobEvent.of(id, JobState.PROCESSING, pct, stage).withDevice(deviceName, null));
    }

    /** Sends a progress event when the stage changes, at most a few per second. */
    private final class ThrottledProgress implements MeshJob.Progress {
        private final String id;
        private String lastStage;
        private long lastAt;

        ThrottledProgress(String id) {
            this.id = id;
        }

        @Override
        public void report(int percent, String stage) {
            long now = System.nanoTime();
            if (!stage.equals(lastStage) || now - lastAt > 250_000_000L) {
                lastStage = stage;
                lastAt = now;
                progress(id, Math.min(99, percent), stage);
            }
        }
    }
}
