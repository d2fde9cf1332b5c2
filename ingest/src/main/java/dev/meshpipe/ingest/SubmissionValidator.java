package dev.meshpipe.ingest;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.MeshErrors;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.common.events.JobTask;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.common.store.ObjectNotFoundException;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.io.VolumeReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Turns a submission into a task: checks the parameters and the input (synthetic spec, or the
 * volume header of a stored or inline input) and moves inline inputs to the object store.
 * Throws {@link MeshpipeException} with the reason when the job cannot run.
 */
public final class SubmissionValidator {
    /** Inline inputs larger than this belong in the object store, not in a Kafka record. */
    public static final int MAX_INLINE_BYTES = 8 * 1024 * 1024;

    private final ObjectStore store;
    private final VolumeLimits limits;

    public SubmissionValidator(ObjectStore store, VolumeLimits limits) {
        this.store = store;
        this.limits = limits;
    }

    public JobTask validate(String jobId, JobSubmission s) {
        JobId.require(jobId);
        if (s.input() == null) {
            throw new MeshpipeException(ErrorCode.INVALID_SUBMISSION, "submission has no input");
        }
        JobParams params = (s.params() == null ? JobParams.defaults() : s.params()).validated();
        Instant submittedAt = s.submittedAt() != null ? s.submittedAt() : Instant.now();
        InputRef input = checkInput(jobId, s.input());
        return new JobTask(jobId, input, params, s.tenant(), submittedAt);
    }

    private InputRef checkInput(String jobId, InputRef input) {
        if (input instanceof InputRef.Synthetic syn) {
            if (syn.synthetic() == null) {
                throw new MeshpipeException(ErrorCode.INVALID_SUBMISSION, "synthetic input has no spec");
            }
            MeshErrors.call(() -> SyntheticVolumes.validate(syn.synthetic(), limits));
            return syn;
        }
        if (input instanceof InputRef.StoredObject obj) {
            checkOwnKey(jobId, obj.object());
            checkHeader(() -> store.open(obj.object(), 0, 1 << 20));
            return obj;
        }
        InputRef.Inline inl = (InputRef.Inline) input;
        if (inl.inline() == null || inl.inline().length == 0) {
            throw new MeshpipeException(ErrorCode.INVALID_SUBMISSION, "inline input is empty");
        }
        if (inl.inline().length > MAX_INLINE_BYTES) {
            throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "inline input of " + inl.inline().length
                    + " bytes exceeds " + MAX_INLINE_BYTES + "; upload it to the object store instead");
        }
        checkHeader(() -> new ByteArrayInputStream(inl.inline()));
        String key = ObjectKeys.input(jobId);
        try {
            // The claim check: the task carries the key, not the bytes.
            store.put(key, inl.inline());
        } catch (IOException e) {
            throw new UncheckedIOException("could not store the input of job " + jobId, e);
        }
        return new InputRef.StoredObject(key, inl.filename());
    }

    /** A job may only name inputs under its own prefix, so no job can read another's volume. */
    private static void checkOwnKey(String jobId, String key) {
        String own = "inputs/" + jobId + "/";
        if (key == null || !key.startsWith(own) || key.contains("..") || key.contains("//") || key.length() > 300) {
            throw new MeshpipeException(ErrorCode.INVALID_SUBMISSION, "input object must be under '" + own + "'");
        }
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    private void checkHeader(Opener opener) {
        try (InputStream in = opener.open()) {
            MeshErrors.call(() -> VolumeReader.describeHeader(in, limits));
        } catch (ObjectNotFoundException e) {
            throw new MeshpipeException(ErrorCode.INPUT_NOT_FOUND, "input object does not exist");
        } catch (java.io.EOFException e) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "input ends inside its header");
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the input", e);
        }
    }
}
