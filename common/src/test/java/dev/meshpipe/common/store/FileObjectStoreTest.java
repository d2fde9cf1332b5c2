package dev.meshpipe.common.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileObjectStoreTest {
    @TempDir
    Path dir;

    @Test
    void anObjectAppearsOnlyWhenItsUploadCloses() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        ObjectStore.Upload up = store.create("results/a.zip");
        up.write("hello ".getBytes(StandardCharsets.UTF_8));
        assertTrue(store.head("results/a.zip").isEmpty());
        up.write("world".getBytes(StandardCharsets.UTF_8));
        up.close();
        assertEquals(11, store.head("results/a.zip").orElseThrow().size());
        try (InputStream in = store.open("results/a.zip", 6, 5)) {
            assertArrayEquals("world".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
        }
    }

    @Test
    void anAbortedUploadLeavesNothing() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        ObjectStore.Upload up = store.create("inputs/x/volume");
        up.write(1);
        up.abort();
        up.close();
        assertTrue(store.head("inputs/x/volume").isEmpty());
        assertTrue(store.list("").isEmpty());
    }

    @Test
    void keysCannotEscapeTheRoot() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        assertThrows(IllegalArgumentException.class, () -> store.create("../outside"));
        assertThrows(IllegalArgumentException.class, () -> store.head("/etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> store.open("a/../../b"));
        assertThrows(dev.meshpipe.common.MeshpipeException.class, () -> ObjectKeys.result("../x"));
        assertThrows(ObjectNotFoundException.class, () -> store.open("results/none.zip"));
    }

    @Test
    void listAndDeleteByPrefix() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        store.put("work/j1/mesh.stl", new byte[] {1});
        store.put("work/j1/preview.png", new byte[] {2});
        store.put("work/j2/mesh.stl", new byte[] {3});
        assertEquals(2, store.list("work/j1/").size());
        for (ObjectInfo o : store.list("work/j1/")) {
            store.delete(o.key());
        }
        assertEquals(1, store.list("work/").size());
    }
}
