package dev.meshpipe.common.store;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileObjectStoreTest extends ObjectStoreContract {
    @TempDir
    Path dir;

    @Override
    ObjectStore store() throws Exception {
        return new FileObjectStore(dir);
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
