package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Plain output (not a terminal) is a line per state or stage change, as docs/cli.md says: not per percent. */
class JobProgressTest {
    @Test
    void aLinePerStateOrStageNotPerPercent() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JobProgress p = new JobProgress(false, new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            p.update("ball", status("QUEUED", 0, ""));
            for (int pct = 10; pct <= 60; pct += 10) {
                p.update("ball", status("RUNNING", pct, "meshing"));
            }
            p.update("ball", status("RUNNING", 70, "writing"));
            p.update("ball", status("RUNNING", 80, "writing"));
            p.update("ball", status("SUCCEEDED", 100, ""));
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(4, lines.length, String.join("\n", lines));
        assertEquals("ball                     RUNNING     10%  meshing", lines[1]);
    }

    private static JsonNode status(String state, int progress, String stage) throws Exception {
        return Json.MAPPER.readTree("{\"state\":\"" + state + "\",\"jobProgress\":" + progress + ",\"stage\":\"" + stage + "\"}");
    }
}
