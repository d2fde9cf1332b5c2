package dev.meshpipe.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The compiled kernels: {@code marching_cubes.fatbin} (sm_90 code plus compute_90 PTX), built from
 * {@code src/main/cuda/marching_cubes.cu} by {@code src/main/cuda/build.sh} and committed, because
 * the driver alone can load it and nothing compiles at run time.
 */
final class KernelImage {
    static final String RESOURCE = "marching_cubes.fatbin";
    /** The sha256 of the source the image was built from, written by build.sh. */
    static final String SOURCE_HASH_RESOURCE = "marching_cubes.fatbin.source-sha256";

    private KernelImage() {}

    static byte[] bytes() {
        return read(RESOURCE);
    }

    static String sourceHash() {
        return new String(read(SOURCE_HASH_RESOURCE), java.nio.charset.StandardCharsets.US_ASCII).trim();
    }

    private static byte[] read(String name) {
        try (InputStream in = KernelImage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + "; run mesh-gpu/src/main/cuda/build.sh");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
