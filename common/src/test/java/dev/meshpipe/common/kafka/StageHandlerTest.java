package dev.meshpipe.common.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobTask;
import dev.meshpipe.common.store.Cancellation;
import dev.meshpipe.common.store.FileObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every stage does around its own work, tested once for all of them. */
class StageHandlerTest {
    @TempDir
    Path dir;

    /** A stage whose work is whatever the test says; it records the jobs it was given. */
    static final class TestStage extends StageHandler<JobTask> {
        final List<String> processed = new ArrayList<>();
        Consumer<JobTask> work = t -> {};

        TestStage(FileObjectStore store) {
            super(new Stage("tester", "testing", "task"), JobTask.class, store);
        }

        @Override
        protected String jobId(JobTask task) {
            return task.jobId();
        }

        @Override
        protected void process(ConsumerRecord<String, byte[]> record, JobTask task, Outbox out) {
            processed.add(task.jobId());
            work.accept(task);
        }
    }

    static ConsumerRecord<String, byte[]> record(String key, String json) {
        return new ConsumerRecord<>(Topics.TASKS, 2, 17, key, json.getBytes(StandardCharsets.UTF_8));
    }

    static ConsumerRecord<String, byte[]> task(String id) {
        return record(id, "{\"jobId\":\"" + id + "\",\"input\":{\"synthetic\":\"sphere:8\"}}");
    }

    static String header(ProducerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static JobEvent event(ProducerRecord<String, byte[]> r) throws IOException {
        assertEquals(Topics.EVENTS, r.topic());
        return Json.read(r.value(), JobEvent.class);
    }

    @Test
    void aRecordThatIsNotOneOfTheStagesGoesToTheDeadLetterTopicWithWhyAndWhence() throws Exception {
        TestStage stage = new TestStage(new FileObjectStore(dir));
        for (ConsumerRecord<String, byte[]> bad : List.of(record("j1", "not json"), record("j1", "{\"jobId\":\"j2\"}"),
                record("j1", "{}"))) {
            Outbox out = new Outbox();
            stage.handle(bad, out);
            assertEquals(1, out.records().size());
            ProducerRecord<String, byte[]> dead = out.records().get(0);
            assertEquals(Topics.DLQ, dead.topic());
            assertEquals("j1", dead.key());
            assertEquals(ErrorCode.INVALID_SUBMISSION.name(), header(dead, Topics.HEADER_ERROR));
            assertEquals("tester", header(dead, Topics.HEADER_STAGE));
            assertEquals(Topics.TASKS, header(dead, Topics.HEADER_SOURCE_TOPIC));
            assertEquals("2", header(dead, Topics.HEADER_SOURCE_PARTITION));
            assertEquals("17", header(dead, Topics.HEADER_SOURCE_OFFSET));
        }
        assertTrue(stage.processed.isEmpty());
    }

    @Test
    void aCancelledJobIsAnnouncedCancelledAndNotProcessed() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        Cancellation.request(store, "j1");
        TestStage stage = new TestStage(store);
        Outbox out = new Outbox();
        stage.handle(task("j1"), out);
        assertTrue(stage.processed.isEmpty());
        assertEquals(JobState.CANCELLED, event(out.records().get(0)).state());
    }

    @Test
    void anExpectedFailureFailsTheJobWithItsCodeInThisStage() throws Exception {
        TestStage stage = new TestStage(new FileObjectStore(dir));
        stage.work = t -> {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "not a volume");
        };
        Outbox out = new Outbox();
        stage.handle(task("j1"), out);
        JobEvent failed = event(out.records().get(0));
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(ErrorCode.INVALID_VOLUME, failed.error().code());
        assertEquals("testing", failed.stage());
    }

    @Test
    void storageTroubleIsRetriedAndAfterTheLastTryTheJobFailsAsStorageUnavailable() throws Exception {
        TestStage stage = new TestStage(new FileObjectStore(dir));
        stage.work = t -> {
            throw new UncheckedIOException(new IOException("disk gone"));
        };
        TransactionalWorker.RetryableException e = assertThrows(TransactionalWorker.RetryableException.class,
                () -> stage.handle(task("j1"), new Outbox()));
        assertTrue(e.getMessage().contains("disk gone"), e.getMessage());
        Outbox out = new Outbox();
        stage.giveUp(task("j1"), e, out);
        JobEvent failed = event(out.records().get(0));
        assertEquals(ErrorCode.STORAGE_UNAVAILABLE, failed.error().code());
        assertEquals("testing", failed.stage());
    }

    @Test
    void anUnforeseenFailureIsLeftToTheWorkerWhichFailsTheJobWithoutAJavaClassInItsCode() throws Exception {
        TestStage stage = new TestStage(new FileObjectStore(dir));
        stage.work = t -> {
            throw new IllegalStateException("bug");
        };
        IllegalStateException bug = assertThrows(IllegalStateException.class, () -> stage.handle(task("j1"), new Outbox()));
        Outbox out = new Outbox();
        stage.giveUp(task("j1"), bug, out);
        JobEvent failed = event(out.records().get(0));
        assertEquals(ErrorCode.INTERNAL_ERROR, failed.error().code());
        assertEquals("internal error while testing; the service log has the details", failed.error().message());
    }
}
