package dev.meshpipe.gpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Loads JCuda's driver binding. JCuda extracts its native library into {@code java.io.tmpdir} and
 * reuses a file it finds there without checking it, so on a shared temp directory another user
 * could plant one; it gets a fresh owner-only directory instead, removed once the library is
 * loaded. The binding links only {@code libcuda.so.1} (the NVIDIA driver), so with no driver this
 * throws a {@link LinkageError}, which callers treat as "no GPU".
 */
final class CudaDriver {
    private static boolean loaded;

    private CudaDriver() {}

    static synchronized void load() {
        if (loaded) {
            return;
        }
        String tmp = System.getProperty("java.io.tmpdir");
        Path dir;
        try {
            dir = Files.createTempDirectory("meshpipe-jcuda-"); // rwx------ on POSIX
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the JCuda native library", e);
        }
        System.setProperty("java.io.tmpdir", dir.toString());
        try {
            // The class's static initialiser extracts and loads the library.
            Class.forName("jcuda.driver.JCudaDriver", true, CudaDriver.class.getClassLoader());
            loaded = true;
        } catch (ClassNotFoundException e) {
            throw new NoClassDefFoundError("jcuda.driver.JCudaDriver");
        } finally {
            System.setProperty("java.io.tmpdir", tmp);
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover empty directory in tmp is harmless
        }
    }
}
