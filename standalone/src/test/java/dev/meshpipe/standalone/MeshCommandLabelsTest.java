package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.mesh.io.TestNifti;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshpipe mesh} on label maps: --mode, --labels, --min-voxels, --colors. */
class MeshCommandLabelsTest {
    static final Path AAL = Path.of("/usr/share/mricron/templates/aal.nii.gz");

    @TempDir
    Path dir;

    Path boxes() throws Exception {
        Path f = dir.resolve("boxes.nii");
        Files.write(f, TestNifti.threeBoxes());
        return f;
    }

    @Test
    void aLabelMapIsRecognisedAndMeshedPerStructure() throws Exception {
        Path out = dir.resolve("out");
        MeshCommandTest.Run r = MeshCommandTest.run("mesh", boxes().toString(), "--json", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals("labels", j.path("mode").asText());
        assertTrue(j.path("modeReason").asText().contains("a label map"), j.toString());
        assertEquals(3, j.path("structures").asInt());
        for (String f : new String[] {"labels/1-label-1.stl", "labels/2-label-2.stl", "labels/3-label-3.stl", "labels.glb",
                "labels.3mf", "quality.json"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertFalse(Files.exists(out.resolve("mesh.stl")));
        JsonNode q = Json.MAPPER.readTree(out.resolve("quality.json").toFile());
        assertEquals(3, q.path("structures").size());
        assertEquals(6 * 14 * 10, q.path("structures").path(0).path("voxels").asLong());
        assertTrue(q.path("totals").path("allWatertight").asBoolean(), q.path("totals").toString());
    }

    @Test
    void labelsColoursAndSizeLimitChooseAndNameTheStructures() throws Exception {
        Path table = dir.resolve("colors.json");
        Files.writeString(table, "{\"1\": {\"name\": \"liver\", \"color\": \"#a0522d\"}, \"3\": {\"name\": \"spleen\"}}");
        Path out = dir.resolve("chosen");
        MeshCommandTest.Run r = MeshCommandTest.run("mesh", boxes().toString(), "--mode", "labels", "--labels", "1,3",
                "--min-voxels", "10", "--colors", table.toString(), "--preset", "smooth", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("2 structures"), r.out());
        assertTrue(Files.exists(out.resolve("labels/1-liver.stl")));
        assertTrue(Files.exists(out.resolve("labels/3-spleen.stl")));
        assertFalse(Files.exists(out.resolve("labels/2-label-2.stl")));
        JsonNode q = Json.MAPPER.readTree(out.resolve("quality.json").toFile());
        assertEquals("#a0522d", q.path("structures").path(0).path("colour").asText());
        assertEquals("mode=labels was asked for", q.path("modeReason").asText());
        for (JsonNode s : q.path("structures")) {
            assertTrue(Math.abs(s.path("volumeDifferencePercent").asDouble()) < 1, s.toString());
            assertTrue(s.path("hausdorffToRaw").path("max").asDouble() > 0, "smoothed: " + s);
        }
    }

    @Test
    void thePrintPresetDecimatesEveryStructureClosed() throws Exception {
        Path out = dir.resolve("print");
        MeshCommandTest.Run r = MeshCommandTest.run("mesh", boxes().toString(), "--mode", "labels", "--preset", "print",
                "--formats", "stl,3mf", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode q = Json.MAPPER.readTree(out.resolve("quality.json").toFile());
        assertEquals(3, q.path("structures").size());
        assertEquals(0, q.path("finishing").path("undecimated").asInt(), q.path("finishing").toString());
        assertTrue(q.path("finishing").path("sharedPatches").asInt() >= 2, q.path("finishing").toString());
        for (JsonNode s : q.path("structures")) {
            JsonNode f = s.path("finishing");
            assertTrue(f.path("trianglesAfter").asLong() < f.path("trianglesBefore").asLong() / 2, s.toString());
            assertEquals(s.path("triangles").asLong(), f.path("trianglesAfter").asLong(), s.toString());
            assertTrue(s.path("watertight").asBoolean() && s.path("manifold").asBoolean(), s.toString());
            // The volume correction after decimation keeps each structure within 1% of its voxels (docs/labels.md).
            double bound = 0.01 * s.path("voxelVolume").asDouble();
            assertTrue(Math.abs(s.path("surfaceVolume").asDouble() - s.path("voxelVolume").asDouble()) <= bound, s.toString());
        }
        assertTrue(q.path("totals").path("allWatertight").asBoolean(), q.path("totals").toString());
        assertTrue(Files.size(out.resolve("labels.3mf")) > 0);
    }

    @Test
    void modeSurfaceMeshesTheMapAsOneIsosurface() throws Exception {
        Path out = dir.resolve("surface");
        MeshCommandTest.Run r = MeshCommandTest.run("mesh", boxes().toString(), "--mode", "surface", "--formats", "stl", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(out.resolve("mesh.stl")));
        JsonNode q = Json.MAPPER.readTree(out.resolve("quality.json").toFile());
        assertEquals("surface", q.path("mode").asText());
        assertEquals("mode=surface was asked for", q.path("modeReason").asText());
    }

    @Test
    void badLabelOptionsAreRefusedWithTheGatewaysMessage() throws Exception {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"--labels", "9-5", "labels: range 9-5 runs backwards [INVALID_PARAMETER]"});
        cases.add(new String[] {"--labels", "1,x", "labels: expected ids and ranges like 1,3,5-9, got '1,x' [INVALID_PARAMETER]"});
        cases.add(new String[] {"--mode", "atlas", "mode must be auto, surface or labels, got 'atlas' [INVALID_PARAMETER]"});
        cases.add(new String[] {"--min-voxels", "-3", "minVoxels must be a voxel count, 0 or more, got -3 [INVALID_PARAMETER]"});
        cases.add(new String[] {"--colors", dir.resolve("missing.txt").toString(), "--colors: cannot read"});
        for (String[] c : cases) {
            MeshCommandTest.Run r = MeshCommandTest.run("mesh", boxes().toString(), c[0], c[1], "--out", dir.resolve("bad").toString());
            assertEquals(2, r.exit(), c[0] + " " + c[1] + ": " + r.out());
            assertTrue(r.err().contains(c[2]), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
    }

    @Test
    void theAalAtlasWithItsOwnNames() throws Exception {
        assumeTrue(Files.exists(AAL), "mricron-data's aal.nii.gz");
        Path out = dir.resolve("aal");
        MeshCommandTest.Run r = MeshCommandTest.run("mesh", AAL.toString(), "--labels", "1-4", "--colors",
                AAL.resolveSibling("aal.nii.txt").toString(), "--json", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals("labels", j.path("mode").asText(), j.toString());
        assertEquals(4, j.path("structures").asInt());
        assertTrue(Files.size(out.resolve("labels/1-Precentral_L.stl")) > 0);
        assertTrue(Files.size(out.resolve("labels.glb")) > 0);
    }
}
