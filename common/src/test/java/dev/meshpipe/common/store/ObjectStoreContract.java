package dev.meshpipe.common.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What every {@link ObjectStore} backend must do; each backend's test extends this. */
abstract class ObjectStoreContract {
    abstract ObjectStore store() throws Exception;

    @Test
    void anObjectAppearsOnlyWhenItsUploadCloses() throws Exception {
        ObjectStore store = store();
        ObjectStore.Upload up = store.create("results/a.zip");
        up.write("hello ".getBytes(StandardCharsets.UTF_8));
        assertTrue(store.head("results/a.zip").isEmpty());
        up.write("world".getBytes(StandardCharsets.UTF_8));
        up.close();
        assertEquals(11, store.head("results/a.zip").orElseThrow().size());
        try (InputStream in = store.open("results/a.zip", 6, 5)) {
            assertArrayEquals("world".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
        }
        try (InputStream in = store.open("results/a.zip", 6, -1)) {
            assertArrayEquals("world".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
        }
    }

    @Test
    void anAbortedUploadLeavesNothing() throws Exception {
        ObjectStore store = store();
        ObjectStore.Upload up = store.create("inputs/x/volume");
        up.write(new byte[3]);
        up.abort();
        up.close();
        assertTrue(store.head("inputs/x/volume").isEmpty());
        assertTrue(store.list("inputs/").isEmpty());
    }

    @Test
    void largeObjectsOfUnknownLengthStreamThrough() throws Exception {
        ObjectStore store = store();
        byte[] data = new byte[S3ObjectStore.PART_SIZE * 2 + 12345];
        new Random(1).nextBytes(data);
        try (ObjectStore.Upload up = store.create("results/big.zip")) {
            for (int off = 0; off < data.length; off += 100_000) {
                up.write(data, off, Math.min(100_000, data.length - off));
            }
        }
        assertEquals(data.length, store.head("results/big.zip").orElseThrow().size());
        try (InputStream in = store.open("results/big.zip")) {
            assertArrayEquals(data, in.readAllBytes());
        }
        try (InputStream in = store.open("results/big.zip", S3ObjectStore.PART_SIZE - 10, 20)) {
            assertArrayEquals(java.util.Arrays.copyOfRange(data, S3ObjectStore.PART_SIZE - 10, S3ObjectStore.PART_SIZE + 10), in.readAllBytes());
        }
    }

    @Test
    void listHeadAndDeleteByPrefix() throws Exception {
        ObjectStore store = store();
        store.put("work/j1/mesh.stl", new byte[] {1});
        store.put("work/j1/preview.png", new byte[] {2});
        store.put("work/j2/mesh.stl", new byte[] {3});
        assertEquals(java.util.List.of("work/j1/mesh.stl", "work/j1/preview.png"),
                store.list("work/j1/").stream().map(ObjectInfo::key).toList());
        for (ObjectInfo o : store.list("work/j1/")) {
            store.delete(o.key());
        }
        assertEquals(1, store.list("work/").size());
        store.delete("work/none");
        assertTrue(store.head("work/j1/mesh.stl").isEmpty());
        assertThrows(ObjectNotFoundException.class, () -> store.open("results/none.zip"));
    }
}
