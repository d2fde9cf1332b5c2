package dev.meshpipe.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.mesh.Borders;
import dev.meshpipe.mesh.MeshFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Events already in the topics (and statuses in the gateway's changelog) were written before the
 * mesh summary became one record: they must decode into today's records with the same values,
 * and today's records must write the same fields, for consumers that read them.
 */
class RecordedEventsTest {
    static final Instant T = Instant.parse("2026-11-25T10:15:30.123Z");
    static final JobResult RESULT = new JobResult("results/j1.zip", 1234, "ab".repeat(32), T.plusSeconds(86400));
    static final Map<String, Long> TIMINGS = timings();
    static final String BEFORE_SUMMARY = "/events/recorded-before-mesh-summary.txt";
    static final String WITH_ACCURACY = "/events/recorded-with-accuracy.txt";

    @Test
    void aMeshedEventOfTheOldFormatDecodesWithItsSummary() throws IOException {
        JobMeshed m = decode("JobMeshed", JobMeshed.class);
        assertEquals(new JobMeshed("j1", "tenant-a", new JobParams("12.5", Borders.OPEN, List.of(MeshFormat.STL, MeshFormat.GLB), "head"),
                List.of(new OutputFile("mesh.stl", "work/j1/mesh.stl", 10, "00")),
                MeshSummary.of("gpu:NVIDIA H200", 3, 1, true, TIMINGS), T, T.plusSeconds(9)), m);
        assertSameJson("JobMeshed", m);
    }

    @Test
    void aCompletionOfTheOldFormatDecodesWithItsSummary() throws IOException {
        JobCompleted c = decode("JobCompleted", JobCompleted.class);
        assertEquals(new JobCompleted("j1", "tenant-a", RESULT, MeshSummary.of("gpu:NVIDIA H200", 3, 1, true, null), T,
                T.plusSeconds(12)), c);
        assertSameJson("JobCompleted", c);
    }

    @Test
    void eventsOfTheOldFormatDecodeWithTheirDeviceAndTriangles() throws IOException {
        JobEvent progress = decode("JobEvent.progress", JobEvent.class);
        assertEquals(new JobEvent("j1", JobState.PROCESSING, 40, "extracting", T.plusSeconds(3), null, null, null,
                MeshSummary.runningOn("cpu"), null, null, null), progress);
        assertSameJson("JobEvent.progress", progress);

        JobEvent done = decode("JobEvent.succeeded", JobEvent.class);
        assertEquals(new JobEvent("j1", JobState.SUCCEEDED, 100, "done", T.plusSeconds(12), null, null, null,
                new MeshSummary("gpu:NVIDIA H200", null, 1L, null, null, null), null, RESULT, null), done);
        assertSameJson("JobEvent.succeeded", done);

        JobEvent failed = JobEvent.failed("j1", dev.meshpipe.common.ErrorCode.INVALID_VOLUME, "bad", "validating");
        assertNull(JsonSerde.of(JobEvent.class).decode(Json.bytes(failed)).mesh(), "no summary stays no summary");
    }

    @Test
    void aStoredStatusOfTheOldFormatDecodesAndKeepsItsShape() throws IOException {
        JobStatus s = decode("JobStatus", JobStatus.class);
        assertEquals("gpu:NVIDIA H200", s.device());
        assertEquals(1L, s.triangles());
        assertEquals(new JobStatus("j1", JobState.SUCCEEDED, 100, "done", T, T.plusSeconds(12), "tenant-a", "head",
                new MeshSummary("gpu:NVIDIA H200", null, 1L, null, null, null), null, RESULT, "f00d"), s);
        assertSameJson("JobStatus", s);
    }

    @Test
    void theStatusFoldKeepsTheDeviceOfProgressAndTakesTheSummaryOfTheResult() throws IOException {
        JobEvent queued = JobEvent.of("j1", JobState.QUEUED, 0, "queued");
        JobStatus running = JobStatus.initial(queued).apply(decode("JobEvent.progress", JobEvent.class));
        assertEquals("cpu", running.device());
        assertNull(running.triangles());
        JobStatus packaging = running.apply(JobEvent.of("j1", JobState.PACKAGING, 10, "compressing"));
        assertEquals("cpu", packaging.device(), "an event without a summary keeps the known one");
        JobStatus done = packaging.apply(decode("JobEvent.succeeded", JobEvent.class));
        assertEquals("gpu:NVIDIA H200", done.device());
        assertEquals(1L, done.triangles());
    }

    @Test
    void theAccuracyOfTheMeshedEventReachesTheSucceededStatus() throws IOException {
        JobEvent meshed = decode(WITH_ACCURACY, "JobEvent.meshed", JobEvent.class);
        MeshAccuracy a = meshed.mesh().accuracy();
        assertEquals(new MeshAccuracy("print", 1000L, 236L, -0.42, 1.5, new MeshAccuracy.Hausdorff(0.31, 0.09, 0.03),
                true, true, true, 0L), a);
        assertEquals(Json.MAPPER.readTree(recorded(WITH_ACCURACY, "JobEvent.meshed")), Json.MAPPER.readTree(Json.bytes(meshed)));

        JobStatus running = JobStatus.initial(JobEvent.of("j1", JobState.QUEUED, 0, "queued")).apply(meshed);
        // The packager's SUCCEEDED event of an older packager has no accuracy: the meshed one stays.
        JobStatus done = running.apply(JobEvent.of("j1", JobState.PACKAGING, 10, "compressing"))
                .apply(decode("JobEvent.succeeded", JobEvent.class));
        assertEquals(JobState.SUCCEEDED, done.state());
        assertEquals(a, done.mesh().accuracy());
        JobStatus stored = JsonSerde.of(JobStatus.class).decode(Json.bytes(done));
        assertEquals(done, stored, "the gateway's changelog keeps the accuracy");
        assertEquals(0.09, Json.MAPPER.readTree(Json.bytes(done)).at("/accuracy/hausdorffMm/p95").asDouble());
    }

    @Test
    void aRawJobsAccuracyHasNoDistanceToItself() throws IOException {
        JobEvent done = decode(WITH_ACCURACY, "JobEvent.succeeded", JobEvent.class);
        assertEquals("raw", done.mesh().accuracy().preset());
        assertNull(done.mesh().accuracy().hausdorffMm());
        assertNull(done.mesh().accuracy().finishedVsVoxelPercent());
        assertEquals(Json.MAPPER.readTree(recorded(WITH_ACCURACY, "JobEvent.succeeded")), Json.MAPPER.readTree(Json.bytes(done)));
    }

    static <T> T decode(String name, Class<T> type) throws IOException {
        return JsonSerde.of(type).decode(recorded(name).getBytes(StandardCharsets.UTF_8));
    }

    static <T> T decode(String file, String name, Class<T> type) throws IOException {
        return JsonSerde.of(type).decode(recorded(file, name).getBytes(StandardCharsets.UTF_8));
    }

    static void assertSameJson(String name, Object value) throws IOException {
        assertEquals(Json.MAPPER.readTree(recorded(name)), Json.MAPPER.readTree(Json.bytes(value)), name);
    }

    static String recorded(String name) throws IOException {
        return recorded(BEFORE_SUMMARY, name);
    }

    static String recorded(String file, String name) throws IOException {
        try (InputStream in = RecordedEventsTest.class.getResourceAsStream(file)) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            return lines.get(lines.indexOf(name) + 1);
        }
    }

    private static Map<String, Long> timings() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("readMs", 7L);
        m.put("extractMs", 5L);
        return m;
    }
}
