package dev.meshpipe.common.events;

import dev.meshpipe.mesh.Borders;
import dev.meshpipe.mesh.MeshFormat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JsonSerde;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class EventSerdeTest {
    static final Instant T = Instant.parse("2026-11-25T10:15:30.123Z");

    static <V> V roundTrip(V value, Class<V> type) {
        JsonSerde<V> serde = JsonSerde.of(type);
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }

    @Test
    void submissionsRoundTripWithEachInputKind() {
        JobParams params = new JobParams("12.5", Borders.OPEN, List.of(MeshFormat.STL, MeshFormat.GLB), "head");
        for (InputRef in : List.of(new InputRef.Synthetic("sphere:64:20"),
                new InputRef.StoredObject("inputs/j1/volume", "ch2.nii.gz"))) {
            JobSubmission s = new JobSubmission(in, params, "tenant-a", T);
            assertEquals(s, roundTrip(s, JobSubmission.class));
        }
        JobSubmission inline = new JobSubmission(new InputRef.Inline(new byte[] {1, 2, 3}, "x.nii"), params, null, T);
        JobSubmission back = roundTrip(inline, JobSubmission.class);
        InputRef.Inline i = assertInstanceOf(InputRef.Inline.class, back.input());
        assertArrayEquals(new byte[] {1, 2, 3}, i.inline());
    }

    @Test
    void producersMayWriteTheShortForms() {
        String json = "{\"input\":{\"synthetic\":\"torus:64\"},\"params\":{\"iso\":\"auto\",\"borders\":\"closed\",\"formats\":[\"stl\",\"obj\"]}}";
        JobSubmission s = JsonSerde.of(JobSubmission.class).decode(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(new InputRef.Synthetic("torus:64"), s.input());
        assertEquals(Borders.CLOSED, s.params().borders());
        assertEquals(List.of(MeshFormat.STL, MeshFormat.OBJ), s.params().formats());
        assertNull(s.submittedAt());
    }

    @Test
    void everyEventTypeRoundTrips() {
        JobResult result = new JobResult("results/j1.zip", 1234, "ab".repeat(32), T.plusSeconds(86400));
        JobEvent e = JobEvent.of("j1", JobState.SUCCEEDED, 100, "done").withResult(result).withMesh(MeshSummary.of("cpu", 84, 42, true, Map.of("extractMs", 5L)));
        assertEquals(e, roundTrip(e, JobEvent.class));
        JobEvent f = JobEvent.failed("j1", ErrorCode.INVALID_VOLUME, "bad", "validating");
        assertEquals(f, roundTrip(f, JobEvent.class));
        JobTask task = new JobTask("j1", new InputRef.Synthetic("sphere:8"), JobParams.defaults(), null, T);
        assertEquals(task, roundTrip(task, JobTask.class));
        JobMeshed m = new JobMeshed("j1", null, JobParams.defaults(), List.of(new OutputFile("mesh.stl", "work/j1/mesh.stl", 10, "00")),
                MeshSummary.of("cpu", 3, 1, false, Map.of("extractMs", 5L)), T, T);
        assertEquals(m, roundTrip(m, JobMeshed.class));
        JobCompleted c = new JobCompleted("j1", "t", result, MeshSummary.of("cpu", 3, 1, true, null), T, T);
        assertEquals(c, roundTrip(c, JobCompleted.class));
    }

    @Test
    void garbageIsASerializationExceptionAndNullIsATombstone() {
        JsonSerde<JobSubmission> serde = JsonSerde.of(JobSubmission.class);
        assertThrows(SerializationException.class, () -> serde.decode("not json".getBytes(StandardCharsets.UTF_8)));
        assertThrows(SerializationException.class, () -> serde.decode("{\"input\":{\"nonsense\":1}}".getBytes(StandardCharsets.UTF_8)));
        assertNull(serde.decode(null));
        assertNull(serde.serializer().serialize("t", null));
    }
}
