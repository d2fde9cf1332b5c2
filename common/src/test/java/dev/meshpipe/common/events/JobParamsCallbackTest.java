package dev.meshpipe.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code callbackUrl}: checked once in common, read from the query form, absent from older records. */
class JobParamsCallbackTest {
    @Test
    void theQueryFormAndTheRecordCarryIt() throws Exception {
        JobParams p = JobParams.fromQuery(Map.of("callbackUrl", " https://example.com/hook?job=1 ")::get);
        assertEquals("https://example.com/hook?job=1", p.callbackUrl());
        assertEquals(p, Json.read(Json.bytes(p), JobParams.class));
        assertNull(Json.read("{\"iso\":\"auto\"}".getBytes(), JobParams.class).callbackUrl());
    }

    @Test
    void aBadOneIsInvalidCallbackUrlSayingWhy() {
        MeshpipeException e = assertThrows(MeshpipeException.class,
                () -> JobParams.defaults().withCallbackUrl("http://user:secret@example.com/").validated());
        assertEquals(ErrorCode.INVALID_CALLBACK_URL, e.code());
        assertTrue(e.getMessage().contains("user name or password"), e.getMessage());
        e = assertThrows(MeshpipeException.class, () -> JobParams.fromQuery(Map.of("callbackUrl", "example.com/hook")::get));
        assertTrue(e.getMessage().contains("absolute http or https"), e.getMessage());
        e = assertThrows(MeshpipeException.class, () -> CallbackUrl.validated("https://example.com/" + "x".repeat(2040)));
        assertTrue(e.getMessage().contains("2048"), e.getMessage());
    }

    @Test
    void theStatusKeepsItFromWhicheverQueuedCameFirstAndSaysWhenTheJobFinishes() {
        JobEvent gateway = JobEvent.of("j", JobState.QUEUED, 0, "submitted").withCallbackUrl("https://example.com/h");
        JobStatus s = JobStatus.initial(JobEvent.of("j", JobState.PROCESSING, 10, "extracting")).apply(gateway);
        assertEquals("https://example.com/h", s.callbackUrl(), "a late QUEUED still brings the callback");
        assertEquals(JobState.PROCESSING, s.state());
        JobStatus done = s.apply(JobEvent.of("j", JobState.SUCCEEDED, 100, "done"));
        assertTrue(done.finishes(s));
        assertTrue(!done.apply(JobEvent.of("j", JobState.EXPIRED, 100, "expired")).finishes(done));
        assertEquals("https://example.com/h", done.callbackUrl());
        assertNull(JobStatus.initial(new JobEvent("j", JobState.QUEUED, 0, null, Instant.EPOCH, null, null, null, null, null, null, null))
                .callbackUrl());
    }
}
