package dev.meshpipe.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ZipNamesTest {
    @Test
    void theNameLeadsMadeSafeForFilesAndHeaders() {
        String id = "0b5e7c2a-1111-4222-8333-444455556666";
        assertEquals("ch2.nii.gz-" + id + ".zip", ZipNames.fileName("ch2.nii.gz", id));
        assertEquals("sphere-128-51.2-" + id + ".zip", ZipNames.fileName("sphere:128:51.2", id));
        assertEquals("etc-passwd-" + id + ".zip", ZipNames.fileName("../../etc/passwd", id));
        assertEquals("a-b-" + id + ".zip", ZipNames.fileName("a \"b\"\r\n", id));
        assertEquals("Sch-del-" + id + ".zip", ZipNames.fileName("Schädel", id));
        assertEquals(id + ".zip", ZipNames.fileName(null, id));
        assertEquals(id + ".zip", ZipNames.fileName("...", id));
        assertEquals("x".repeat(64) + "-" + id + ".zip", ZipNames.fileName("x".repeat(300), id));
    }
}
