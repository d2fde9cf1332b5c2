package dev.meshpipe.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.MeshFormat;
import dev.meshpipe.mesh.MeshOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The label-map parameters (mode, labels, minVoxels, colors): checked once, typed once, old events unchanged. */
class JobParamsLabelsTest {

    static final String WITH_LABELS = "{\"input\":{\"synthetic\":\"sphere:64:20\"},\"params\":{\"mode\":\"labels\","
            + "\"labels\":\"1,3,5-9\",\"minVoxels\":10,\"colors\":\"1 liver 160 82 45 0\",\"autoIso\":false},"
            + "\"submittedAt\":\"2026-12-01T10:00:00Z\"}";

    @Test
    void eventsWithoutTheFieldsDecodeAsAutoAndAllLabels() {
        JobParams p = JsonSerde.of(JobSubmission.class)
                .decode(JobParamsMeshOptionsTest.RECORDED_SUBMISSION.getBytes(StandardCharsets.UTF_8)).params();
        assertNull(p.mode());
        assertNull(p.labels());
        MeshOptions.Labels labels = p.toMeshOptions().labels();
        assertEquals(MeshOptions.Mode.AUTO, labels.mode());
        assertEquals("all", labels.selection().toString());
        assertEquals(0, labels.selection().minVoxels());
        assertEquals(List.of(MeshFormat.STL, MeshFormat.THREE_MF), labels.formats());
    }

    @Test
    void labelFieldsTravelAsJsonAndBecomeTypedOptions() {
        JobSubmission s = JsonSerde.of(JobSubmission.class).decode(WITH_LABELS.getBytes(StandardCharsets.UTF_8));
        assertEquals(WITH_LABELS, Json.string(s));
        MeshOptions.Labels labels = s.params().toMeshOptions().labels();
        assertEquals(MeshOptions.Mode.LABELS, labels.mode());
        assertEquals("1,3,5-9", labels.selection().toString());
        assertTrue(labels.selection().includes(7));
        assertEquals(10, labels.selection().minVoxels());
        assertEquals("liver", labels.colours().name(1));
        assertEquals(MeshOptions.Labels.DEFAULT_FORMATS, labels.formats());
    }

    @Test
    void theUploadQueryReadsTheSameFields() {
        Map<String, String> q = Map.of("mode", "Labels", "labels", " 2-4 ", "minVoxels", "5", "colors", "{\"2\":{\"name\":\"a\"}}");
        JobParams p = JobParams.fromQuery(q::get);
        assertEquals("labels", p.mode());
        assertEquals("2-4", p.labels());
        assertEquals(5L, p.minVoxels());
        assertEquals("a", p.toMeshOptions().labels().colours().name(2));
    }

    @Test
    void badValuesAreInvalidParametersNamingTheField() {
        assertInvalid("labels: expected ids and ranges like 1,3,5-9, got '1,x'", JobParams.defaults().withLabels(null, "1,x", null, null));
        assertInvalid("labels: range 9-5 runs backwards", JobParams.defaults().withLabels(null, "9-5", null, null));
        assertInvalid("mode must be auto, surface or labels, got 'mesh'", JobParams.defaults().withLabels("mesh", null, null, null));
        assertInvalid("minVoxels must be a voxel count, 0 or more, got -1", JobParams.defaults().withLabels(null, null, -1L, null));
        MeshpipeException e = assertThrows(MeshpipeException.class,
                () -> JobParams.defaults().withLabels(null, null, null, "1 a 300 0 0 0").validated());
        assertEquals(ErrorCode.INVALID_PARAMETER, e.code());
        assertTrue(e.getMessage().contains("300"), e.getMessage());
        MeshpipeException q = assertThrows(MeshpipeException.class, () -> JobParams.fromQuery(Map.of("minVoxels", "ten")::get));
        assertEquals("minVoxels must be a whole number, got 'ten'", q.getMessage());
    }

    private static void assertInvalid(String message, JobParams p) {
        MeshpipeException e = assertThrows(MeshpipeException.class, p::validated);
        assertEquals(ErrorCode.INVALID_PARAMETER, e.code());
        assertEquals(message, e.getMessage());
    }
}
