package dev.meshpipe.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileObjectStoreTest extends ObjectStoreContract {
    @TempDir
    Path dir;

    @Override
    ObjectStore store() throws Exception {
        return new FileObjectStore(dir);
    }

    /** list walks only the directory a prefix names; a prefix ending inside a name still matches it. */
    @Test
    void listWalksOnlyThePrefixDirectory() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        for (String key : List.of("results/abc.zip", "results/abd.zip", "results/b.zip", "work/abc/x.stl", "top")) {
            try (var out = store.create(key)) {
                out.write(1);
            }
        }
        assertEquals(List.of("results/abc.zip", "results/abd.zip"), keys(store.list("results/ab")));
        assertEquals(List.of("work/abc/x.stl"), keys(store.list("work/abc/")));
        assertEquals(List.of(), keys(store.list("work/none/")));
        assertEquals(List.of(), keys(store.list("nothing/here/")));
        assertEquals(List.of("top"), keys(store.list("to")));
        assertEquals(5, store.list("").size());
        assertEquals(List.of(), keys(store.list("../")));
    }

    private static List<String> keys(List<ObjectInfo> infos) {
        return infos.stream().map(ObjectInfo::key).toList();
    }

    @Test
    void keysCannotEscapeTheRoot() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        assertThrows(IllegalArgumentException.class, () -> store.create("../outside"));
        assertThrows(IllegalArgumentException.class, () -> store.head("/etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> store.open("a/../../b"));
        assertThrows(dev.meshpipe.common.MeshpipeException.class, () -> ObjectKeys.result("../x"));
    }
}
