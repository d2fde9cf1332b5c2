package dev.meshpipe.common.store;

import java.io.IOException;
import java.nio.file.Path;

/** Opens the store named by MESHPIPE_STORAGE. */
public final class ObjectStores {
    private ObjectStores() {}

    public static ObjectStore open(String spec) throws IOException {
        if (spec.startsWith("file:")) {
            return new FileObjectStore(Path.of(spec.substring("file:".length())));
        }
        throw new IllegalArgumentException("unsupported storage '" + spec + "' (expected file:/path)");
    }
}
