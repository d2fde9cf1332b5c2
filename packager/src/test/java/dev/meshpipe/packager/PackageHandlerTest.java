package dev.meshpipe.packager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobMeshed;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.MeshFormat;
import dev.meshpipe.common.events.OutputFile;
import dev.meshpipe.common.kafka.Outbox;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.common.store.ObjectKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packager's decisions, on a real file store, without a broker (the worker commits the outbox). */
class PackageHandlerTest {
    @TempDir
    Path dir;

    JobMeshed meshed(FileObjectStore store, String id, String... names) throws Exception {
        List<OutputFile> files = new ArrayList<>();
        for (String n : names) {
            store.put(ObjectKeys.work(id, n), ("content of " + n).getBytes());
            files.add(new OutputFile(n, ObjectKeys.work(id, n), 11 + n.length(), "x"));
        }
        return new JobMeshed(id, null, new JobParams(null, null, List.of(MeshFormat.STL), null), files, "cpu", 3, 1, true,
                null, Instant.now(), Instant.now());
    }

    static ConsumerRecord<String, byte[]> record(JobMeshed m, long offset) {
        return new ConsumerRecord<>(Topics.MESHED, 0, offset, m.jobId(), Json.bytes(m));
    }

    static JobEvent event(ProducerRecord<String, byte[]> r) throws Exception {
        return Json.read(r.value(), JobEvent.class);
    }

    @Test
    void aMissingOutputFailsTheJobAndPublishesNothing() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        PackageHandler h = new PackageHandler(store, e -> { }, Duration.ofHours(1));
        Outbox out = new Outbox();
        h.handle(record(meshed(store, "job-a", "mesh.stl", "quality.json"), 0), out);
        assertEquals(1, out.records().size());
        JobEvent failed = event(out.records().get(0));
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(ErrorCode.INCOMPLETE_RESULTS, failed.error().code());
        assertTrue(failed.error().message().contains("preview.png"), failed.error().message());
        assertTrue(store.head(ObjectKeys.result("job-a")).isEmpty());
    }

    @Test
    void aRedeliveryAfterTheWorkFilesWentAnnouncesTheSameZipAgain() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        List<JobEvent> progress = new ArrayList<>();
        PackageHandler h = new PackageHandler(store, progress::add, Duration.ofHours(1));
        JobMeshed m = meshed(store, "job-b", "mesh.stl", "quality.json", "preview.png");
        Outbox first = new Outbox();
        h.handle(record(m, 7), first);
        assertEquals(List.of(Topics.COMPLETED, Topics.EVENTS), first.records().stream().map(ProducerRecord::topic).toList());
        assertEquals(JobState.SUCCEEDED, event(first.records().get(1)).state());
        assertEquals(JobState.PACKAGING, progress.get(0).state());
        assertTrue(store.head(ObjectKeys.result("job-b")).isPresent());
        assertTrue(store.head(ObjectKeys.preview("job-b")).isPresent());
        h.afterCommit(record(m, 7));
        assertTrue(store.list(ObjectKeys.workPrefix("job-b")).isEmpty(), "intermediate files go once the ZIP is published");
        // Redelivered after all that: only a lost commit does that (the offset commits with the
        // announcement), so the same ZIP is announced again, and not packaged again.
        var zip = store.head(ObjectKeys.result("job-b")).orElseThrow();
        Outbox again = new Outbox();
        h.handle(record(m, 7), again);
        assertEquals(List.of(Topics.COMPLETED, Topics.EVENTS), again.records().stream().map(ProducerRecord::topic).toList());
        JobEvent firstDone = event(first.records().get(1));
        JobEvent againDone = event(again.records().get(1));
        assertEquals(JobState.SUCCEEDED, againDone.state());
        assertEquals(firstDone.result().sha256(), againDone.result().sha256(), "the same ZIP");
        assertEquals(firstDone.result().size(), againDone.result().size());
        assertEquals(zip.lastModified(), store.head(ObjectKeys.result("job-b")).orElseThrow().lastModified(), "not written again");
        assertEquals(1, progress.size(), "no second packaging");
    }

    @Test
    void aCancelledJobIsNotPackaged() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        PackageHandler h = new PackageHandler(store, e -> { }, Duration.ofHours(1));
        JobMeshed m = meshed(store, "job-c", "mesh.stl", "quality.json", "preview.png");
        store.put(ObjectKeys.cancelled("job-c"), new byte[0]);
        Outbox out = new Outbox();
        h.handle(record(m, 1), out);
        assertTrue(out.records().isEmpty());
        assertTrue(store.head(ObjectKeys.result("job-c")).isEmpty());
        assertTrue(store.list(ObjectKeys.workPrefix("job-c")).isEmpty());
    }
}
