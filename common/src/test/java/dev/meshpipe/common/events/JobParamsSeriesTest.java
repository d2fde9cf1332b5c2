package dev.meshpipe.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import org.junit.jupiter.api.Test;

class JobParamsSeriesTest {
    @Test
    void seriesIsAUidOrANumber() {
        assertEquals("1.2.840.113619.2.55.3", new JobParams(null, null, null, null).withSpaceAndSeries(null, " 1.2.840.113619.2.55.3 ").validated().series());
        assertEquals("7", new JobParams(null, null, null, null).withSpaceAndSeries(null, "7").validated().series());
        assertNull(new JobParams(null, null, null, null).withSpaceAndSeries(null, " ").validated().series());
        MeshpipeException e = assertThrows(MeshpipeException.class, () -> new JobParams(null, null, null, null).withSpaceAndSeries(null, "../x").validated());
        assertEquals(ErrorCode.INVALID_PARAMETER, e.code());
        assertThrows(MeshpipeException.class, () -> new JobParams(null, null, null, null).withSpaceAndSeries(null, "1".repeat(65)).validated());
    }

    @Test
    void seriesTravelsInJsonAndIsLeftOutWhenUnset() throws Exception {
        JobParams p = new JobParams("300", null, null, null).withSpaceAndSeries(null, "3");
        assertEquals(p, Json.MAPPER.readValue(Json.bytes(p), JobParams.class));
        assertFalse(Json.string(new JobParams("300", null, null, null)).contains("series"));
    }
}
