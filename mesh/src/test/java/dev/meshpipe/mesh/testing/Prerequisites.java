package dev.meshpipe.mesh.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Outside tools and data some tests need (Chromium, Node, g++, Debian's mricron-data, npm packages).
 * The README's test command must pass on a fresh clone with only Java, so a missing one skips the
 * test with one line saying what to install; under {@code CI=true}, where {@code .ci/run} installs
 * everything, a missing one fails instead, so CI can never pass by silently skipping.
 */
public final class Prerequisites {
    /** Debian's MRI templates (mricron-data), or a copy named by MESHPIPE_MRI_DIR (on a GPU machine). */
    public static final Path MRI_TEMPLATES = Path.of(System.getenv().getOrDefault("MESHPIPE_MRI_DIR", "/usr/share/mricron/templates"));

    private Prerequisites() {
    }

    /** Requires the file or directory {@code path}; {@code what} says what it is and how to get it. */
    public static Path require(String what, Path path) {
        if (!Files.exists(path)) {
            missing(what + " (" + path + " not found)");
        }
        return path;
    }

    /** Requires one of Debian's mricron-data volumes, e.g. {@code ch2.nii.gz}. */
    public static Path mri(String name) {
        return require("Debian's mricron-data (apt-get install mricron-data)", MRI_TEMPLATES.resolve(name));
    }

    /** Requires an executable on the PATH, installed by Debian's {@code debianPackage}; returns its path. */
    public static Path program(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        missing(name + " (apt-get install " + debianPackage + "; not on the PATH)");
        return null; // not reached
    }

    /** Requires an npm package that the build installs into {@code toolDir}/node_modules with npm ci. */
    public static Path npmPackage(Path toolDir, String pkg) {
        program("node", "nodejs");
        return require("npm package " + pkg + " (the build runs npm ci --prefix " + toolDir.getFileName()
                + " when npm is installed: apt-get install npm)", toolDir.resolve("node_modules").resolve(pkg));
    }

    private static void missing(String what) {
        String message = "needs " + what;
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message + ", and CI=true: a missing prerequisite fails the run");
        }
        String test = StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().equals(Prerequisites.class.getName()))
                .findFirst().map(f -> f.getClassName().replaceAll(".*\\.", "") + "." + f.getMethodName()).orElse("?"));
        System.out.println("SKIPPED " + test + ": " + message);
        Assumptions.abort(message);
    }
}
