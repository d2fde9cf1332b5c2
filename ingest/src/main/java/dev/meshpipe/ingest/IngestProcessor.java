package dev.meshpipe.ingest;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.CallbackUrl;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.common.events.JobTask;
import dev.meshpipe.common.kafka.DeadLetters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One submission in, and out either a task plus a QUEUED event, a FAILED event, or a DLQ record.
 * A job id seen within the dedupe window is dropped, so a producer's retry never runs a job
 * twice; a wall-clock punctuation forgets ids older than the window, so the store stays bounded.
 */
final class IngestProcessor implements Processor<String, byte[], String, Object> {
    private static final Logger log = LoggerFactory.getLogger(IngestProcessor.class);
    private static final JsonSerde<JobSubmission> SUBMISSION = JsonSerde.of(JobSubmission.class);

    private final SubmissionValidator validator;
    private final Duration dedupeWindow;
    private ProcessorContext<String, Object> context;
    /** Job id -> when it was first seen (wall clock) and by which tenant. */
    private KeyValueStore<String, SeenJob> seen;

    IngestProcessor(SubmissionValidator validator, Duration dedupeWindow) {
        this.validator = validator;
        this.dedupeWindow = dedupeWindow;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.seen = context.getStateStore(IngestTopology.SEEN_STORE);
        // A full scan of the store each time: a tenth of the window apart, between 1 s and 1 h.
        long every = Math.max(1000, Math.min(3_600_000, dedupeWindow.toMillis() / 10));
        context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::forgetOldIds);
    }

    private void forgetOldIds(long now) {
        long before = now - dedupeWindow.toMillis();
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, SeenJob> it = seen.all()) {
            while (it.hasNext()) {
                KeyValue<String, SeenJob> kv = it.next();
                if (kv.value == null || kv.value.firstSeenMs() < before) {
                    old.add(kv.key);
                }
            }
        }
        old.forEach(seen::delete);
        if (!old.isEmpty()) {
            log.info("forgot {} job id(s) first seen over {} ago", old.size(), dedupeWindow);
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String jobId = record.key();
        if (!JobId.isValid(jobId)) {
            deadLetter(record, ErrorCode.INVALID_JOB_ID, jobId == null ? "record has no key (the job id)" : "key is not a valid job id");
            return;
        }
        JobSubmission submission;
        try {
            if (record.value() == null) {
                throw new SerializationException("record has no value");
            }
            submission = SUBMISSION.decode(record.value());
        } catch (SerializationException e) {
            deadLetter(record, ErrorCode.INVALID_SUBMISSION, e.getMessage());
            return;
        }
        SeenJob earlier = seen.get(jobId);
        if (earlier != null && earlier.ownedByAnother(submission.tenant())) {
            // Not a retry: another tenant's submission under an id already taken. It must not
            // touch the job that holds the id (no event for it), and must not vanish unexplained.
            log.warn("job id {} is taken by another tenant's job; dead-lettering this submission", jobId);
            deadLetter(record, ErrorCode.JOB_ID_TAKEN, "the job id is taken by an earlier submission; this one was not run");
            return;
        }
        if (earlier != null) {
            log.info("job {} was submitted before; ignoring the repeat", jobId);
            return;
        }
        seen.put(jobId, SeenJob.of(context.currentSystemTimeMs(), submission.tenant()));
        String name = submission.params() == null ? null : submission.params().name();
        if (name != null && name.length() > JobParams.MAX_NAME_LENGTH) {
            name = name.substring(0, JobParams.MAX_NAME_LENGTH);
        }
        try {
            JobTask task = validator.validate(jobId, submission);
            context.forward(record.withValue(task).withHeaders(new RecordHeaders()), IngestTopology.TASKS_SINK);
            JobEvent queued = JobEvent.of(jobId, JobState.QUEUED, 0, "queued")
                    .withSubmission(task.tenant(), name, task.submittedAt()).withCallbackUrl(task.params().callbackUrl());
            context.forward(record.withValue(queued).withHeaders(new RecordHeaders()), IngestTopology.EVENTS_SINK);
        } catch (MeshpipeException e) {
            log.info("job {} rejected: {} {}", jobId, e.code(), e.getMessage());
            JobEvent failed = JobEvent.failed(jobId, e.code(), e.getMessage(), "validating")
                    .withSubmission(submission.tenant(), name, submission.submittedAt())
                    // A job refused here still tells its receiver, if the URL itself is sound.
                    .withCallbackUrl(submission.params() == null ? null : CallbackUrl.orNull(submission.params().callbackUrl()));
            context.forward(record.withValue(failed).withHeaders(new RecordHeaders()), IngestTopology.EVENTS_SINK);
        }
    }

    private void deadLetter(Record<String, byte[]> record, ErrorCode code, String message) {
        log.warn("dead-lettering record at offset {}: {} {}", context.recordMetadata().map(m -> m.offset()).orElse(-1L), code, message);
        var source = context.recordMetadata();
        RecordHeaders h = DeadLetters.headers(record.headers().toArray(), "ingest", code, message,
                source.map(m -> m.topic()).orElse(null), source.map(m -> m.partition()).orElse(-1),
                source.map(m -> m.offset()).orElse(-1L));
        context.forward(new Record<String, Object>(record.key(), record.value(), record.timestamp(), h), IngestTopology.DLQ_SINK);
    }
}
