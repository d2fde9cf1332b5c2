package dev.meshpipe.packager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobMeshed;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.OutputFile;
import dev.meshpipe.common.kafka.Outbox;
import dev.meshpipe.common.store.Cancellation;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.common.store.ObjectInfo;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.MeshFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
        return new JobMeshed(id, null, new JobParams(null, null, List.of(MeshFormat.STL), null), files,
                dev.meshpipe.common.events.MeshSummary.of("cpu", 3, 1, true, null), Instant.now(), Instant.now());
    }

    /** No completion committed yet. */
    static final PackageHandler.Announcements NONE = (id, since) -> false;

    static ConsumerRecord<String, byte[]> record(JobMeshed m, long offset) {
        return new ConsumerRecord<>(Topics.MESHED, 0, offset, m.jobId(), Json.bytes(m));
    }

    static JobEvent event(ProducerRecord<String, byte[]> r) throws Exception {
        return Json.read(r.value(), JobEvent.class);
    }

    @Test
    void aMissingOutputFailsTheJobAndPublishesNothing() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        PackageHandler h = new PackageHandler(store, e -> { }, Duration.ofHours(1), NONE);
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
        PackageHandler h = new PackageHandler(store, progress::add, Duration.ofHours(1), NONE);
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
        // One packaging started (its "packaging" event at 0%); a "compressing" step may follow it
        // when the first packaging took over 250 ms, as on a loaded machine.
        assertEquals(1, progress.stream().filter(e -> e.progress() == 0).count(), "no second packaging: " + progress);
    }

    /**
     * The rule that keeps a job completed once: after a crash the broker can lose a transaction's
     * offset commit while its records commit, and the processor may then mesh the job again. A
     * job whose completion is committed is not announced again, whatever comes.
     */
    @Test
    void aJobWhoseCompletionIsCommittedIsNotAnnouncedAgainEvenWhenMeshedAgain() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        List<String> committed = new ArrayList<>();
        List<Instant> asked = new ArrayList<>();
        PackageHandler h = new PackageHandler(store, e -> { }, Duration.ofHours(1), (id, since) -> {
            asked.add(since);
            return committed.contains(id);
        });
        JobMeshed m = meshed(store, "job-c", "mesh.stl", "quality.json", "preview.png");
        Outbox first = new Outbox();
        h.handle(record(m, 7), first);
        assertEquals(List.of(Topics.COMPLETED, Topics.EVENTS), first.records().stream().map(ProducerRecord::topic).toList());
        assertTrue(asked.isEmpty(), "no ZIP yet, so no need to look for a completion");
        committed.add("job-c");
        h.afterCommit(record(m, 7));
        var zip = store.head(ObjectKeys.result("job-c")).orElseThrow();
        // The processor's offset commit was lost: it meshed the job again and published it again.
        JobMeshed again = meshed(store, "job-c", "mesh.stl", "quality.json", "preview.png");
        Outbox second = new Outbox();
        h.handle(record(again, 8), second);
        assertEquals(List.of(), second.records(), "announced once only");
        assertEquals(zip.lastModified(), store.head(ObjectKeys.result("job-c")).orElseThrow().lastModified(), "not packaged again");
        assertTrue(asked.get(0).isBefore(again.submittedAt()), "looked from before the submission: " + asked);
        h.afterCommit(record(again, 8));
        assertTrue(store.list(ObjectKeys.workPrefix("job-c")).isEmpty(), "the second meshing's files go too");
        // The same redelivery when the work files are gone already: still nothing announced.
        Outbox third = new Outbox();
        h.handle(record(again, 8), third);
        assertEquals(List.of(), third.records());
    }

    /** Label mode writes labels/..., labels.glb and labels.3mf in place of mesh.*. */
    @Test
    void aLabelMapsOutputsArePackagedUnderTheirFolderAndItsSceneFeedsTheViewer() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        PackageHandler h = new PackageHandler(store, e -> { }, Duration.ofHours(1), NONE);
        JobMeshed m = meshed(store, "job-l", "labels/1-liver.stl", "labels/2-kidney.stl", "labels.glb", "labels.3mf", "quality.json");
        Outbox out = new Outbox();
        h.handle(record(m, 3), out);
        assertEquals(JobState.SUCCEEDED, event(out.records().get(1)).state());
        List<String> names = new ArrayList<>();
        try (var zip = new java.util.zip.ZipInputStream(store.open(ObjectKeys.result("job-l")))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                names.add(e.getName());
            }
        }
        assertTrue(names.containsAll(List.of("job-l/labels/1-liver.stl", "job-l/labels/2-kidney.stl", "job-l/labels.glb",
                "job-l/labels.3mf", "job-l/quality.json")), names.toString());
        try (var glb = store.open(ObjectKeys.viewerGlb("job-l"))) {
            assertEquals("content of labels.glb", new String(glb.readAllBytes()));
        }
        h.afterCommit(record(m, 3));
        assertTrue(store.list(ObjectKeys.workPrefix("job-l")).isEmpty(), "the labels/ folder's files go too");
    }

    @Test
    void anOutputNameCannotClimbOutOfItsJob() {
        for (String bad : new String[] {"../x", "labels/../x", "/x", "a/b/c", "labels/", "labels//x", "labels\\x"}) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ObjectKeys.work("job-x", bad), bad);
        }
        assertEquals("work/job-x/labels/1-liver.stl", ObjectKeys.work("job-x", "labels/1-liver.stl"));
    }

    @Test
    void aCancelledJobIsNotPackaged() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        PackageHandler h = new PackageHandler(store, e -> { }, Duration.ofHours(1), NONE);
        JobMeshed m = meshed(store, "job-c", "mesh.stl", "quality.json", "preview.png");
        store.put(ObjectKeys.cancelled("job-c"), new byte[0]);
        Outbox out = new Outbox();
        h.handle(record(m, 1), out);
        assertEquals(List.of(JobState.CANCELLED), eventStates(out), "CANCELLED, and no completion");
        assertTrue(store.head(ObjectKeys.result("job-c")).isEmpty());
        assertTrue(store.list(ObjectKeys.workPrefix("job-c")).isEmpty());
    }

    /**
     * A cancel that lands while the ZIP is being written, after the packager's first look for one:
     * the cancel wins at once (the gateway announces CANCELLED), so the packager must announce no
     * completion and leave no ZIP behind.
     */
    @Test
    void aCancelLandingWhileTheZipIsWrittenWinsAndNothingCompletes() throws Exception {
        FileObjectStore files = new FileObjectStore(dir);
        JobMeshed m = meshed(files, "job-d", "mesh.stl", "quality.json", "preview.png");
        boolean[] gatewayAnnounces = new boolean[1];
        HookedStore store = new HookedStore(files, (op, key) -> {
            if (op.equals("create") && key.equals(ObjectKeys.result("job-d"))) {
                gatewayAnnounces[0] = Cancellation.request(files, "job-d");
            }
        });
        Outbox out = new Outbox();
        new PackageHandler(store, e -> { }, Duration.ofHours(1), NONE).handle(record(m, 3), out);
        assertTrue(gatewayAnnounces[0], "the cancel came before the packager's decision: it wins at once");
        assertEquals(List.of(Topics.EVENTS), topics(out), "no record on " + Topics.COMPLETED);
        assertEquals(List.of(JobState.CANCELLED), eventStates(out));
        for (String key : new String[] {ObjectKeys.result("job-d"), ObjectKeys.preview("job-d"), ObjectKeys.quality("job-d")}) {
            assertTrue(files.head(key).isEmpty(), key + " stays behind");
        }
    }

    /**
     * A cancel that lands after the packager decided to complete (its look for a cancel came back
     * empty) but before its transaction commits: the gateway finds the packager's marker and
     * announces nothing, so the completion stands, and the gateway answers 409 once it sees it.
     */
    @Test
    void aCancelLandingBetweenTheDecisionAndTheCommitLosesToTheCompletion() throws Exception {
        FileObjectStore files = new FileObjectStore(dir);
        JobMeshed m = meshed(files, "job-e", "mesh.stl", "quality.json", "preview.png");
        int[] looks = new int[1];
        Boolean[] gatewayAnnounces = new Boolean[1];
        HookedStore store = new HookedStore(files, (op, key) -> {
            // The second look for the cancel marker is the decision (the first skips cancelled jobs' work).
            if (op.equals("head") && key.equals(ObjectKeys.cancelled("job-e")) && ++looks[0] == 2) {
                gatewayAnnounces[0] = Cancellation.request(files, "job-e");
            }
        });
        Outbox out = new Outbox();
        new PackageHandler(store, e -> { }, Duration.ofHours(1), NONE).handle(record(m, 4), out);
        assertEquals(Boolean.FALSE, gatewayAnnounces[0], "the gateway leaves the decision to the packager");
        assertEquals(List.of(Topics.COMPLETED, Topics.EVENTS), topics(out));
        assertEquals(List.of(JobState.SUCCEEDED), eventStates(out));
        assertTrue(files.head(ObjectKeys.result("job-e")).isPresent());
    }

    /**
     * Both sides write their markers before either looks: the gateway leaves the decision to the
     * packager and the packager cancels, announcing CANCELLED itself (nobody else will).
     */
    @Test
    void whenBothSidesSeeEachOtherThePackagerCancelsAndSaysSo() throws Exception {
        FileObjectStore files = new FileObjectStore(dir);
        JobMeshed m = meshed(files, "job-f", "mesh.stl", "quality.json", "preview.png");
        boolean[] gatewayAnnounces = {true};
        HookedStore store = new HookedStore(files, (op, key) -> {
            if (op.equals("put") && key.equals(ObjectKeys.completing("job-f"))) {
                gatewayAnnounces[0] = Cancellation.request(files, "job-f");
            }
        });
        Outbox out = new Outbox();
        new PackageHandler(store, e -> { }, Duration.ofHours(1), NONE).handle(record(m, 5), out);
        assertFalse(gatewayAnnounces[0]);
        assertEquals(List.of(Topics.EVENTS), topics(out));
        assertEquals(List.of(JobState.CANCELLED), eventStates(out));
        assertTrue(files.head(ObjectKeys.result("job-f")).isEmpty());
    }

    /**
     * The packager announced the ZIP but the broker lost that transaction (a hanging one, aborted),
     * so nothing was announced; a cancel comes before the redelivery. The cancel finds the
     * packager's marker and leaves the decision to it, and the redelivery cancels: CANCELLED, no
     * completion, and the ZIP left by the lost attempt goes.
     */
    @Test
    void aCancelAfterALostCommitDropsTheZipLeftBehind() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        PackageHandler h = new PackageHandler(store, e -> { }, Duration.ofHours(1), NONE);
        JobMeshed m = meshed(store, "job-g", "mesh.stl", "quality.json", "preview.png");
        h.handle(record(m, 6), new Outbox());
        h.afterCommit(record(m, 6));
        assertFalse(Cancellation.request(store, "job-g"), "the packager had decided: the gateway leaves it the decision");
        Outbox again = new Outbox();
        h.handle(record(m, 6), again);
        assertEquals(List.of(Topics.EVENTS), topics(again));
        assertEquals(List.of(JobState.CANCELLED), eventStates(again));
        assertTrue(store.head(ObjectKeys.result("job-g")).isEmpty());
        assertTrue(store.head(ObjectKeys.preview("job-g")).isEmpty());
    }

    static List<String> topics(Outbox out) {
        return out.records().stream().map(ProducerRecord::topic).toList();
    }

    static List<JobState> eventStates(Outbox out) throws Exception {
        List<JobState> states = new ArrayList<>();
        for (ProducerRecord<String, byte[]> r : out.records()) {
            if (r.topic().equals(Topics.EVENTS)) {
                states.add(event(r).state());
            }
        }
        return states;
    }

    /** A store that calls {@code hook} after each put and head, and before each create, with the key. */
    static final class HookedStore implements ObjectStore {
        interface Hook {
            void on(String op, String key) throws IOException;
        }

        private final ObjectStore inner;
        private final Hook hook;

        HookedStore(ObjectStore inner, Hook hook) {
            this.inner = inner;
            this.hook = hook;
        }

        @Override
        public Upload create(String key) throws IOException {
            hook.on("create", key);
            return inner.create(key);
        }

        @Override
        public void put(String key, byte[] bytes) throws IOException {
            inner.put(key, bytes);
            hook.on("put", key);
        }

        @Override
        public InputStream open(String key, long offset, long length) throws IOException {
            return inner.open(key, offset, length);
        }

        @Override
        public Optional<ObjectInfo> head(String key) throws IOException {
            Optional<ObjectInfo> info = inner.head(key);
            hook.on("head", key);
            return info;
        }

        @Override
        public void delete(String key) throws IOException {
            inner.delete(key);
        }

        @Override
        public List<ObjectInfo> list(String prefix) throws IOException {
            return inner.list(prefix);
        }
    }
}
