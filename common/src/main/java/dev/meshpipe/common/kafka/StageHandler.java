package dev.meshpipe.common.kafka;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.store.Cancellation;
import dev.meshpipe.common.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every stage worker does around its own work on a job's record, written once: decode the
 * record (or dead-letter it), skip a cancelled job, turn an expected failure into the job's FAILED
 * event and storage trouble into a retry, and fail the job when retries are spent. A stage says
 * only what it does with a well-formed record of a job not cancelled ({@link #process}).
 *
 * @param <T> the record's value type
 */
public abstract class StageHandler<T> implements TransactionalWorker.Handler {
    private static final Logger log = LoggerFactory.getLogger(StageHandler.class);

    /**
     * Names a stage in its dead letters ({@code processor}), its jobs' failures ({@code meshing})
     * and the dead letters' messages ({@code task}).
     */
    public record Stage(String worker, String activity, String recordName) {}

    protected final ObjectStore store;
    private final Stage stage;
    private final JsonSerde<T> serde;

    protected StageHandler(Stage stage, Class<T> type, ObjectStore store) {
        this.stage = stage;
        this.serde = JsonSerde.of(type);
        this.store = store;
    }

    /** The job the value belongs to; it must equal the record's key. */
    protected abstract String jobId(T value);

    /** What else a value needs to be handled, checked after its job id; why it falls short, or null. */
    protected String incomplete(T value) {
        return null;
    }

    /**
     * This stage's work on a job that is not cancelled. Throw {@link MeshpipeException} to fail the
     * job with its code, an {@link IOException} (storage) to be retried.
     */
    protected abstract void process(ConsumerRecord<String, byte[]> record, T value, Outbox out)
            throws IOException, TransactionalWorker.RetryableException;

    /** A cancel came before this stage began: by default say CANCELLED (again), in case no one has. */
    protected void skipCancelled(T value, Outbox out) throws IOException {
        announceCancelled(out, jobId(value));
    }

    /**
     * The job's FAILED event for a failure nobody foresaw, or null to leave it to {@link #giveUp}
     * (INTERNAL_ERROR) after the worker logged it.
     */
    protected JobEvent unexpected(String jobId, RuntimeException e) {
        return null;
    }

    @Override
    public final void handle(ConsumerRecord<String, byte[]> rec, Outbox out) throws TransactionalWorker.RetryableException {
        T value = decode(rec, out);
        if (value == null) {
            return;
        }
        String id = jobId(value);
        try {
            if (cancelled(id)) {
                log.info("job {} was cancelled; {} skips it", id, stage.worker());
                skipCancelled(value, out);
                return;
            }
            process(rec, value, out);
        } catch (MeshpipeException e) {
            log.info("job {} failed: {} {}", id, e.code(), e.getMessage());
            out.send(Topics.EVENTS, id, JobEvent.failed(id, e.code(), e.getMessage(), stage.activity()));
        } catch (UncheckedIOException e) {
            throw storage(e.getCause());
        } catch (IOException e) {
            throw storage(e);
        } catch (RuntimeException e) {
            JobEvent failed = unexpected(id, e);
            if (failed == null) {
                throw e;
            }
            out.send(Topics.EVENTS, id, failed);
        }
    }

    /** The value, or null after sending a record that is not one of this stage's to the dead-letter topic. */
    private T decode(ConsumerRecord<String, byte[]> rec, Outbox out) {
        try {
            T value = serde.decode(rec.value());
            String problem = value == null || jobId(value) == null || !jobId(value).equals(rec.key())
                    ? stage.recordName() + " has no job id or it differs from the key" : incomplete(value);
            if (problem != null) {
                throw new SerializationException(problem);
            }
            return value;
        } catch (SerializationException e) {
            out.deadLetter(rec, stage.worker(), ErrorCode.INVALID_SUBMISSION, e.getMessage());
            return null;
        }
    }

    private static TransactionalWorker.RetryableException storage(IOException e) {
        return new TransactionalWorker.RetryableException("storage: " + e.getMessage(), e);
    }

    @Override
    public final void giveUp(ConsumerRecord<String, byte[]> rec, Exception cause, Outbox out) {
        JobEvent failed = cause instanceof TransactionalWorker.RetryableException
                ? JobEvent.failed(rec.key(), ErrorCode.STORAGE_UNAVAILABLE, "object storage stayed unavailable: " + cause.getMessage(), stage.activity())
                // No exception type in the message: a job's status is for users, the log for operators.
                : JobEvent.failed(rec.key(), ErrorCode.INTERNAL_ERROR, "internal error while " + stage.activity()
                        + "; the service log has the details", stage.activity());
        out.send(Topics.EVENTS, rec.key(), failed);
    }

    protected final boolean cancelled(String jobId) throws IOException {
        return Cancellation.isRequested(store, jobId);
    }

    /**
     * CANCELLED, so the status says so even when the gateway left the decision to this stage (or
     * stopped between its marker and its event); a second CANCELLED is harmless, the first
     * terminal event being final.
     */
    protected static void announceCancelled(Outbox out, String jobId) {
        out.send(Topics.EVENTS, jobId, JobEvent.of(jobId, JobState.CANCELLED, 0, "cancelled"));
    }
}
