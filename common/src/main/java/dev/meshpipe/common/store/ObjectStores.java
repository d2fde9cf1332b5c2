package dev.meshpipe.common.store;

import java.io.IOException;
import java.nio.file.Path;

/** Opens the store named by MESHPIPE_STORAGE; the storage's own configuration, MESHPIPE_S3_*, is read here. */
public final class ObjectStores {
    private ObjectStores() {}

    /** {@code file:/path}, or {@code s3://bucket[/prefix]} configured by MESHPIPE_S3_* variables. */
    public static ObjectStore open(String spec) throws IOException {
        return open(spec, dev.meshpipe.common.MeshpipeConfig.environment());
    }

    public static ObjectStore open(String spec, java.util.Map<String, String> env) throws IOException {
        if (spec.startsWith("file:")) {
            return new FileObjectStore(Path.of(spec.substring("file:".length())));
        }
        if (spec.startsWith("s3://")) {
            String endpoint = env.get("MESHPIPE_S3_ENDPOINT");
            boolean pathStyle = Boolean.parseBoolean(env.getOrDefault("MESHPIPE_S3_PATH_STYLE", String.valueOf(endpoint != null)));
            return S3ObjectStore.open(spec, endpoint, env.get("MESHPIPE_S3_REGION"), pathStyle);
        }
        throw new IllegalArgumentException("unsupported storage '" + spec + "' (expected file:/path or s3://bucket)");
    }
}
