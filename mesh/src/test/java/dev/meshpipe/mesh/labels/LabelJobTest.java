package dev.meshpipe.mesh.labels;

import static dev.meshpipe.mesh.labels.LabelSurfacesTest.volume;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.mesh.out.MeshJson;
import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.MeshFormat;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.out.PrintJudges;
import dev.meshpipe.mesh.testing.Prerequisites;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One call gives a file per structure, one GLB and one 3MF with every structure named and coloured,
 * and quality.json; the outside judges (Khronos glTF validator, lib3mf) read the combined files.
 */
class LabelJobTest {
    static final Path GLTF_TOOL = Path.of("..", "tools", "gltf").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** Two touching boxes and a ball in one of them; label 9 is named by no table entry. */
    static Volume organs() {
        return volume(24, 20, 18, new double[] {1, 1, 1.5}, (x, y, z) -> {
            double r2 = (x - 7) * (x - 7) + (y - 10) * (y - 10) + (z - 9) * (z - 9);
            if (r2 <= 9) {
                return 9;
            }
            if (y < 3 || y > 16 || z < 2 || z > 15) {
                return 0;
            }
            return x >= 2 && x <= 11 ? 1 : x >= 12 && x <= 21 ? 2 : 0;
        });
    }

    static final String TABLE = """
            {"1": {"name": "liver", "color": "#a0522d"}, "2": {"name": "left kidney / cortex", "color": [0, 128, 255]}}
            """;

    MeshJob.OutputSink sink() {
        return name -> {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            return Files.newOutputStream(p);
        };
    }

    @Test
    void oneCallWritesEveryStructureNamedAndColoured() throws Exception {
        LabelJob.LabelOptions options = new LabelJob.LabelOptions(LabelSelection.all(), LabelSmoothing.Options.defaults(),
                List.of(MeshFormat.STL, MeshFormat.OBJ, MeshFormat.GLB, MeshFormat.THREE_MF), CoordinateSpace.RAS, true, 2);
        LabelJob.Quality q = LabelJob.run(organs(), options, ColorTable.parse(TABLE), sink());

        for (String f : List.of("labels/1-liver.stl", "labels/1-liver.obj", "labels/2-left_kidney_cortex.stl",
                "labels/9-label-9.stl", "labels.glb", "labels.3mf", "quality.json")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        try (Stream<Path> files = Files.list(dir.resolve("labels"))) {
            assertEquals(6, files.count());
        }
        JsonNode quality = MeshJson.MAPPER.readTree(dir.resolve("quality.json").toFile());
        assertEquals(3, quality.get("structures").size());
        for (JsonNode s : quality.get("structures")) {
            assertTrue(s.get("watertight").asBoolean(), s.toString());
            assertTrue(s.get("manifold").asBoolean(), s.toString());
            assertTrue(Math.abs(s.get("volumeDifferencePercent").asDouble()) <= 1.0, s.toString());
            double h = s.get("hausdorffToRaw").get("max").asDouble();
            assertTrue(h > 0.1 && h < 2, "smoothed, by less than two voxels: " + s);
        }
        JsonNode liver = quality.get("structures").get(0);
        assertEquals("liver", liver.get("name").asText());
        assertEquals("#a0522d", liver.get("colour").asText());
        assertEquals(List.of("labels/1-liver.stl", "labels/1-liver.obj"),
                MeshJson.MAPPER.convertValue(liver.get("files"), List.class));
        assertEquals(3, quality.get("totals").get("structures").asInt());
        assertEquals(q.totals().triangles(), quality.get("totals").get("triangles").asLong());

        JsonNode gltf = glbJson(dir.resolve("labels.glb"));
        List<String> names = new ArrayList<>();
        gltf.get("nodes").forEach(n -> names.add(n.get("name").asText()));
        assertEquals(List.of("structures", "liver", "left kidney / cortex", "label-9"), names);
        JsonNode red = gltf.get("materials").get(0).get("pbrMetallicRoughness").get("baseColorFactor");
        // #a0522d made linear: 160 -> 0.3515, 82 -> 0.0844, 45 -> 0.0262
        assertEquals(0.3515, red.get(0).asDouble(), 1e-3);
        assertEquals(0.0844, red.get(1).asDouble(), 1e-3);
        assertEquals(0.0262, red.get(2).asDouble(), 1e-3);
        validateGlb(dir.resolve("labels.glb"));

        Path checker = PrintJudges.lib3mfChecker(Files.createDirectories(dir.resolve("judge")));
        String report = PrintJudges.lib3mf(checker, dir.resolve("labels.3mf"));
        assertTrue(report.contains("warnings 0\n"), report);
        assertTrue(report.contains("objects 3\n"), report);
        assertTrue(report.contains("object name=liver ") && report.contains("manifold=1 color=#A0522DFF"), report);
        assertTrue(report.contains("object name=left kidney / cortex ") && report.contains("color=#0080FFFF"), report);
    }

    /**
     * The files are written on several threads side by side (3MF text, preview, deflate pieces),
     * each taking the structures in label order: so one thread or three give the same bytes.
     */
    @Test
    void everyFileIsTheSameOnAnyNumberOfThreads() throws Exception {
        Map<String, byte[]> one = filesOn(1);
        Map<String, byte[]> three = filesOn(3);
        assertEquals(one.keySet(), three.keySet());
        assertTrue(one.keySet().containsAll(List.of("labels.3mf", "labels.glb", "preview.png", "labels/1-liver.stl")), one.keySet().toString());
        for (String name : one.keySet()) {
            assertArrayEquals(one.get(name), three.get(name), name);
        }
    }

    /** Every file of a job on {@code threads}, quality.json without its timings. */
    private Map<String, byte[]> filesOn(int threads) throws Exception {
        Path out = Files.createDirectories(dir.resolve("threads-" + threads));
        LabelJob.LabelOptions options = new LabelJob.LabelOptions(LabelSelection.all(), LabelSmoothing.Options.defaults(),
                List.of(MeshFormat.STL, MeshFormat.GLB, MeshFormat.THREE_MF), CoordinateSpace.RAS, false, threads);
        LabelJob.run(organs(), options, ColorTable.parse(TABLE), name -> {
            Path p = out.resolve(name);
            Files.createDirectories(p.getParent());
            return Files.newOutputStream(p);
        });
        Map<String, byte[]> files = new java.util.TreeMap<>();
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(out.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        com.fasterxml.jackson.databind.node.ObjectNode quality = (com.fasterxml.jackson.databind.node.ObjectNode)
                MeshJson.MAPPER.readTree(files.get(LabelJob.QUALITY_FILE));
        quality.remove("timingsMs");
        files.put(LabelJob.QUALITY_FILE, MeshJson.MAPPER.writeValueAsBytes(quality));
        return files;
    }

    /** preview.png shows every structure in its own colour over the background. */
    @Test
    void thePreviewShowsEachStructureInItsColour() throws Exception {
        LabelJob.LabelOptions options = new LabelJob.LabelOptions(LabelSelection.all(), null, List.of(MeshFormat.GLB),
                CoordinateSpace.RAS, false, 2);
        LabelJob.Quality q = LabelJob.run(organs(), options, ColorTable.parse(TABLE), sink());
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(dir.resolve(MeshJob.PREVIEW_FILE).toFile());
        assertEquals(512, png.getWidth());
        int brown = 0, blue = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                int c = png.getRGB(x, y);
                int r = c >> 16 & 0xff, g = c >> 8 & 0xff, b = c & 0xff;
                brown += r > g && r > 2 * b ? 1 : 0; // #a0522d shaded
                blue += b > 2 * r && b > g ? 1 : 0; // #0080ff shaded
            }
        }
        assertTrue(brown > 5_000 && blue > 5_000, "liver " + brown + " px, kidney " + blue + " px");
        assertTrue(q.timingsMs().containsKey("previewMs"), q.timingsMs().toString());
    }

    @Test
    void withoutSmoothingTheSurfacesAreTheVoxelsExactly() throws Exception {
        LabelJob.LabelOptions options = new LabelJob.LabelOptions(LabelSelection.parse("1,9"), null,
                List.of(MeshFormat.PLY), CoordinateSpace.LPS, true, 1);
        LabelJob.Quality q = LabelJob.run(organs(), options, null, sink());
        assertEquals(2, q.structures().size());
        for (LabelJob.StructureQuality s : q.structures()) {
            assertEquals(0.0, s.volumeDifferencePercent(), 1e-6);
            assertEquals(null, s.hausdorffToRaw());
        }
        assertTrue(Files.exists(dir.resolve("labels/1-label-1.ply")));
        assertTrue(Files.notExists(dir.resolve("labels.glb")));
    }

    static JsonNode glbJson(Path glb) throws Exception {
        byte[] b = Files.readAllBytes(glb);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x46546C67, buf.getInt(0));
        assertEquals(b.length, buf.getInt(8));
        int jsonLength = buf.getInt(12);
        return MeshJson.MAPPER.readTree(new String(b, 20, jsonLength, java.nio.charset.StandardCharsets.UTF_8));
    }

    static void validateGlb(Path glb) throws Exception {
        Prerequisites.npmPackage(GLTF_TOOL, "gltf-validator");
        Process p = new ProcessBuilder("node", GLTF_TOOL.resolve("validate.mjs").toString(), glb.toString())
                .redirectErrorStream(true).start();
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        p.getInputStream().transferTo(report);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), report.toString());
        assertTrue(report.toString().contains("\"errors\":0"), report.toString());
        assertTrue(report.toString().contains("\"warnings\":0"), report.toString());
    }
}
