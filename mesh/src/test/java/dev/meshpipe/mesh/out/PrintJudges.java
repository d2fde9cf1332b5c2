package dev.meshpipe.mesh.out;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Outside programs that judge print-ready files: Debian's lib3mf (a small checker built here with
 * g++) and PrusaSlicer, what a printing user runs next. Outside CI a missing tool skips the test
 * with one line; under CI=true it fails, since .ci/run installs them.
 */
public final class PrintJudges {
    public static final String PRUSA = "prusa-slicer";
    static final Path LIB3MF_HEADER = Path.of("/usr/include/lib3mf/Model/COM/NMR_DLLInterfaces.h");
    /** What PrusaSlicer's --info prints only when its repair had something to fix. */
    public static final List<String> REPAIRS = List.of("open_edges", "degenerate_facets", "edges_fixed", "facets_removed",
            "facets_reversed", "backwards_edges");

    private PrintJudges() {}

    /** Skips (or under CI fails) unless {@code present}. */
    public static void require(boolean present, String what) {
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(what + " is not installed (.ci/run installs it)");
        }
        Assumptions.assumeTrue(present, what + " is not installed");
    }

    public static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Builds the lib3mf checker (src/test/resources/.../check3mf.cpp) into {@code dir}. */
    public static Path lib3mfChecker(Path dir) throws IOException, InterruptedException {
        require(onPath("g++") && Files.exists(LIB3MF_HEADER), "g++ or lib3mf-dev");
        Path src = dir.resolve("check3mf.cpp");
        try (InputStream in = PrintJudges.class.getResourceAsStream("check3mf.cpp")) {
            Files.write(src, in.readAllBytes());
        }
        Path exe = dir.resolve("check3mf");
        // pkg-config's lib3MF.pc also names -lzip, whose -dev package lib3mf-dev does not pull in.
        Result r = run(120, "g++", "-O1", "-o", exe.toString(), src.toString(), "-I/usr/include/lib3mf", "-l3MF");
        assertEquals(0, r.exit(), "building the lib3mf checker: " + r.output());
        return exe;
    }

    /** The checker's report: "object name=... vertices=..." lines and the counts. */
    public static String lib3mf(Path checker, Path file) throws IOException, InterruptedException {
        Result r = run(300, checker.toString(), file.toString());
        assertEquals(0, r.exit(), "lib3mf could not read " + file.getFileName() + ": " + r.output());
        return r.output();
    }

    /** {@code prusa-slicer --info FILE} as key/value pairs. */
    public static Map<String, String> prusaInfo(Path file) throws IOException, InterruptedException {
        require(onPath(PRUSA), PRUSA);
        Result r = run(600, PRUSA, "--info", file.toString());
        assertEquals(0, r.exit(), "prusa-slicer --info " + file.getFileName() + ": " + r.output());
        Map<String, String> info = new LinkedHashMap<>();
        for (String line : r.output().split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0 && !line.startsWith("[")) {
                info.put(line.substring(0, eq).trim(), line.substring(eq + 3).trim());
            }
        }
        return info;
    }

    /**
     * PrusaSlicer loads the file as a closed, manifold, outward mesh of {@code triangles} facets
     * with nothing for its repair to do.
     */
    public static Map<String, String> assertPrintReady(Path file, long triangles) throws IOException, InterruptedException {
        Map<String, String> info = prusaInfo(file);
        String name = file.getFileName().toString();
        assertEquals("yes", info.get("manifold"), name + ": " + info);
        assertEquals(triangles, Long.parseLong(info.get("number_of_facets")), name + ": " + info);
        for (String repair : REPAIRS) {
            assertTrue(!info.containsKey(repair), name + ": PrusaSlicer had to repair " + repair + ": " + info);
        }
        assertTrue(Double.parseDouble(info.get("volume")) > 0, name + ": " + info);
        return info;
    }

    /** {@code prusa-slicer --export-gcode} slices the file: exit 0 and G-code with extrusion moves. */
    public static void assertSlices(Path file, Path gcode) throws IOException, InterruptedException {
        require(onPath(PRUSA), PRUSA);
        Result r = run(600, PRUSA, "--export-gcode", file.toString(), "--output", gcode.toString());
        assertEquals(0, r.exit(), "prusa-slicer --export-gcode " + file.getFileName() + ": " + r.output());
        assertTrue(Files.size(gcode) > 10_000, r.output());
        try (var lines = Files.lines(gcode, StandardCharsets.US_ASCII)) {
            assertTrue(lines.anyMatch(l -> l.startsWith("G1 ") && l.contains(" E")), "no extrusion in " + gcode);
        }
    }

    record Result(int exit, String output) {}

    static Result run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = ("(output unreadable: " + e.getMessage() + ")").getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        reader.join();
        return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8));
    }
}
