package dev.meshpipe.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stage-specific variables are read here, with the others, and reach the services as values. */
class MeshpipeConfigTest {
    @Test
    void stageSpecificVariablesAreReadWithTheOthers() {
        MeshpipeConfig c = MeshpipeConfig.fromEnv(Map.of("MESHPIPE_DEDUPE_WINDOW", "2h", "MESHPIPE_GPU_ERRORS", "fail",
                "MESHPIPE_FAULT_HALT_ON", "sphere:13:5", "MESHPIPE_CREATE_TOPICS", "false"));
        assertEquals(Duration.ofHours(2), c.dedupeWindow());
        assertEquals("fail", c.gpuErrors());
        assertEquals("sphere:13:5", c.faultHaltOn());
        assertFalse(c.createTopics());
        assertEquals(c, c.withStorageRetries(c.storageRetries(), c.storageBackoff()), "a copy keeps them");
    }

    @Test
    void withoutThemTheDefaultsHoldAndNoFaultIsInjected() {
        MeshpipeConfig c = MeshpipeConfig.fromEnv(Map.of());
        assertEquals(MeshpipeConfig.DEFAULT_DEDUPE_WINDOW, c.dedupeWindow());
        assertNull(c.gpuErrors());
        assertNull(c.faultHaltOn());
        assertTrue(c.createTopics());
    }
}
