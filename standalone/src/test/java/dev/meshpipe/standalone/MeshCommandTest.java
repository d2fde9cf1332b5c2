package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.mesh.io.TestNifti;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = MeshpipeCli.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void jsonReportAndOutputFiles() throws Exception {
        Path out = dir.resolve("out");
        Run r = run("mesh", "sphere:48:18", "--json", "--repeat", "3", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        for (String field : new String[] {"vertices", "triangles", "isovalue", "surfaceArea", "watertight", "boundaryEdges", "degenerateTriangles"}) {
            assertTrue(j.has(field), field);
        }
        assertTrue(j.path("timings").has("extractMs"));
        assertTrue(j.path("watertight").asBoolean());
        assertEquals(0, j.path("degenerateTriangles").asLong());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(Set.of("mesh.stl", "mesh.ply", "mesh.obj", "mesh.glb", "quality.json", "preview.png"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
        // A binary STL is 84 bytes plus 50 per triangle.
        assertEquals(84 + 50 * j.path("triangles").asLong(), Files.size(out.resolve("mesh.stl")));
    }

    @Test
    void smoothPresetKeepsTheVolumeAndReportsItsAccuracy() throws Exception {
        Path out = dir.resolve("smooth");
        Run r = run("mesh", "sphere:48:14", "--preset", "smooth", "--formats", "stl", "--json", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode f = Json.MAPPER.readTree(r.out()).path("finishing");
        assertEquals("smooth", f.path("options").path("preset").asText(), f.toString());
        assertEquals("smooth", f.path("stages").path(0).path("name").asText());
        assertTrue(Math.abs(f.path("volumeChangePercent").asDouble()) < 0.5, f.toString());
        assertTrue(f.path("hausdorffToRaw").path("max").asDouble() > 0.01, f.toString());
        assertTrue(f.path("surface").path("watertight").asBoolean(), f.toString());
        assertEquals(f.toString(), Json.MAPPER.readTree(Files.readAllBytes(out.resolve("quality.json"))).path("finishing").toString());
        // Without a preset the surface is the raw one: no stages, no distance.
        Run raw = run("mesh", "sphere:48:14", "--formats", "stl", "--json", "--out", dir.resolve("raw").toString());
        JsonNode rf = Json.MAPPER.readTree(raw.out()).path("finishing");
        assertEquals("raw", rf.path("options").path("preset").asText());
        assertEquals(0, rf.path("stages").size());
        assertEquals(0.0, rf.path("hausdorffToRaw").path("max").asDouble());
        Run bad = run("mesh", "sphere:48:14", "--preset", "glossy", "--out", dir.resolve("bad").toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("preset must be one of raw, smooth, print, web") && bad.err().contains("INVALID_PARAMETER"), bad.err());
    }

    @Test
    void niftiAndRawInputs() throws Exception {
        Path nii = dir.resolve("ball.nii.gz");
        Files.write(nii, TestNifti.gzip(TestNifti.ball(20, 6)));
        Run r = run("mesh", nii.toString(), "--iso", "auto", "--formats", "stl", "--json", "--out", dir.resolve("a").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Json.MAPPER.readTree(r.out()).path("isovalueSource").asText().startsWith("auto"));
        Path raw = dir.resolve("ball.raw");
        byte[] full = TestNifti.ball(20, 6);
        Files.write(raw, java.util.Arrays.copyOfRange(full, 352, full.length));
        Run rr = run("mesh", raw.toString(), "--raw", "20x20x20", "--raw-type", "int16", "--iso", "50", "--formats", "ply",
                "--json", "--out", dir.resolve("b").toString());
        assertEquals(0, rr.exit(), rr.err());
        assertEquals(Json.MAPPER.readTree(r.out()).path("triangles").asLong(), Json.MAPPER.readTree(rr.out()).path("triangles").asLong());
    }

    @Test
    void badInputIsOneClearLineAndANonZeroExit() throws Exception {
        Path junk = dir.resolve("junk.nii");
        Files.writeString(junk, "not a volume");
        for (String[] args : new String[][] {
                {"mesh", junk.toString(), "--out", dir.toString()},
                {"mesh", dir.resolve("missing.nii").toString()},
                {"mesh", "sphere:1"},
                {"mesh", "sphere:32", "--iso", "x"},
                {"mesh", "sphere:32", "--borders", "sideways"},
                {"mesh", "sphere:32", "--space", "ijk"},
                {"mesh", "sphere:32", "--formats", "stl,3mx"},
                {"mesh", "sphere:32", "--repeat", "2", "--warmup", "-1"}}) {
            Run r = run(args);
            assertEquals(2, r.exit(), String.join(" ", args));
            String[] lines = r.err().strip().split("\n");
            assertEquals(1, lines.length, r.err());
            assertTrue(lines[0].startsWith("meshpipe: " + args[1] + ": "), lines[0]);
            assertTrue(!r.err().contains("Exception"), r.err());
        }
    }

    /** A bad option is refused before anything is sent, in the option's words (no gateway runs here). */
    @Test
    void submitChecksItsOptionsBeforeSending() {
        Run r = run("submit", "torus:16", "--formats", "stl,fbx", "--server", "http://localhost:1");
        assertEquals(2, r.exit());
        assertEquals("meshpipe: unknown format 'fbx' (expected stl, ply, obj, glb, 3mf)", r.err().trim());
        r = run("submit", "torus:16", "--borders", "maybe", "--server", "http://localhost:1");
        assertEquals(2, r.exit());
        assertEquals("meshpipe: borders must be 'closed' or 'open', got 'maybe'", r.err().trim());
        r = run("submit", "torus:16", "--iso", "banana", "--server", "http://localhost:1");
        assertEquals(2, r.exit());
        assertEquals("meshpipe: iso must be a number or 'auto', got 'banana'", r.err().trim());
    }

    @Test
    void threeMfAndLpsFromTheMeshCommand() throws Exception {
        Path out = dir.resolve("lps");
        Run r = run("mesh", "sphere:32:10", "--formats", "3mf,stl", "--space", "lps", "--json", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals("lps", j.path("space").asText());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(Set.of("mesh.3mf", "mesh.stl", "quality.json", "preview.png"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
        assertTrue(new String(Files.readAllBytes(out.resolve("mesh.stl")), 0, 80, StandardCharsets.US_ASCII).contains("SPACE=LPS"));
        String model;
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(out.resolve("mesh.3mf").toFile())) {
            model = new String(z.getInputStream(z.getEntry("3D/3dmodel.model")).readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(model.contains("name=\"sphere:32:10\"") && model.contains("SPACE=LPS"), model.substring(0, 600));
        // The synthetic sphere lies at positive x and y, so in LPS its vertices are at negative ones.
        assertTrue(Json.MAPPER.readTree(out.resolve("quality.json").toFile()).at("/boundingBox/max/0").asDouble() < 0);

        Path nii = dir.resolve("ball.nii.gz");
        Files.write(nii, TestNifti.gzip(TestNifti.ball(20, 6)));
        Path named = dir.resolve("named");
        assertEquals(0, run("mesh", nii.toString(), "--formats", "3mf", "--out", named.toString()).exit());
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(named.resolve("mesh.3mf").toFile())) {
            model = new String(z.getInputStream(z.getEntry("3D/3dmodel.model")).readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(model.contains("name=\"ball\"") && model.contains("SPACE=RAS"), model.substring(0, 600));

        for (String[] space : new String[][] {{"world", "ras", "SPACE=RAS"}, {"grid", "grid", "grid space"}}) {
            Path o = dir.resolve(space[0]);
            Run g = run("mesh", "sphere:24:8", "--formats", "obj", "--space", space[0], "--json", "--out", o.toString());
            assertEquals(0, g.exit(), g.err());
            assertEquals(space[1], Json.MAPPER.readTree(g.out()).path("space").asText());
            assertTrue(Files.readAllLines(o.resolve("mesh.obj")).get(0).contains(space[2]), space[0]);
        }
    }

    @Test
    void zipPackagesADirectoryAsThePackagerDoes() throws Exception {
        Path out = dir.resolve("mesh");
        assertEquals(0, run("mesh", "sphere:24:8", "--formats", "stl", "--out", out.toString()).exit());
        Path zip = dir.resolve("job.zip");
        Run r = run("zip", out.toString(), "--out", zip.toString());
        assertEquals(0, r.exit(), r.err());
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            Set<String> names = z.stream().map(e -> e.getName().substring(e.getName().indexOf('/') + 1)).collect(Collectors.toSet());
            assertTrue(names.containsAll(Set.of("mesh.stl", "quality.json", "preview.png")), names.toString());
            // One version: the manifest names the software as --version does, and it is the build's.
            java.util.zip.ZipEntry manifest = z.stream().filter(e -> e.getName().endsWith("/manifest.json")).findFirst().orElseThrow();
            String software = dev.meshpipe.common.Json.MAPPER.readTree(z.getInputStream(manifest)).path("software").asText();
            assertEquals(run("--version").out().trim(), software);
            assertTrue(software.matches("meshpipe \\d+\\.\\d+\\.\\d+.*"), software);
        }
    }
}
