package dev.meshpipe.common.events;

import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.MeshFormat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.common.MeshpipeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code 3mf} format and the {@code space} parameter, as every entry point parses them. */
class PrintParamsTest {

    @Test
    void threeMfParsesFromTheQueryFormAndFromJson() {
        assertEquals(List.of(MeshFormat.THREE_MF, MeshFormat.STL), JobParams.parseFormats("3mf,STL"));
        assertEquals(List.of(MeshFormat.THREE_MF), JobParams.parseFormats(" 3MF "));
        assertEquals("mesh.3mf", MeshFormat.THREE_MF.fileName());
        String json = "{\"input\":{\"synthetic\":\"torus:64\"},\"params\":{\"formats\":[\"3mf\",\"stl\"],\"space\":\"lps\"}}";
        JobSubmission s = JsonSerde.of(JobSubmission.class).decode(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(MeshFormat.THREE_MF, MeshFormat.STL), s.params().formats());
        assertEquals(CoordinateSpace.LPS, s.params().validated().spaceOrDefault());
        String back = new String(JsonSerde.of(JobParams.class).serializer().serialize("t", s.params()), StandardCharsets.UTF_8);
        assertTrue(back.contains("\"3mf\"") && back.contains("\"space\":\"lps\""), back);
    }

    @Test
    void theDefaultFormatsLeave3mfOut() {
        assertEquals(List.of(MeshFormat.STL, MeshFormat.PLY, MeshFormat.OBJ, MeshFormat.GLB), JobParams.defaults().formatsOrDefault());
        assertFalse(new JobParams(null, null, List.of(), null).formatsOrDefault().contains(MeshFormat.THREE_MF));
    }

    @Test
    void anUnknownFormatNamesTheAcceptedOnes() {
        MeshpipeException e = assertThrows(MeshpipeException.class, () -> JobParams.parseFormats("stl,fbx"));
        assertEquals(ErrorCode.INVALID_PARAMETER, e.code());
        assertEquals("unknown format 'fbx' (expected stl, ply, obj, glb, 3mf)", e.getMessage());
        assertThrows(MeshpipeException.class, () -> JobParams.parseFormats("three_mf"));
    }

    @Test
    void spaceIsRasOrLpsInAnyCaseAndRasByDefault() {
        assertEquals(CoordinateSpace.RAS, JobParams.defaults().spaceOrDefault());
        assertNull(JobParams.defaults().validated().space());
        assertEquals("lps", new JobParams(null, null, null, null).withSpaceAndSeries(" LPS ", null).validated().space());
        assertEquals("ras", new JobParams(null, null, null, null).withSpaceAndSeries("Ras", null).validated().space());
        for (String bad : new String[] {"grid", "", "xyz", "world", "r a s"}) {
            MeshpipeException e = assertThrows(MeshpipeException.class, () -> new JobParams(null, null, null, null).withSpaceAndSeries(bad, null).validated(), bad);
            assertEquals(ErrorCode.INVALID_PARAMETER, e.code());
            assertEquals("space must be 'ras' or 'lps', got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void aBadSpaceInJsonIsAClearParameterErrorNotAParserError() {
        String json = "{\"input\":{\"synthetic\":\"torus:64\"},\"params\":{\"space\":\"ijk\"}}";
        JobSubmission s = JsonSerde.of(JobSubmission.class).decode(json.getBytes(StandardCharsets.UTF_8));
        MeshpipeException e = assertThrows(MeshpipeException.class, () -> s.params().validated());
        assertEquals(ErrorCode.INVALID_PARAMETER, e.code());
        assertFalse(e.getMessage().contains("dev.meshpipe"), e.getMessage());
    }
}
