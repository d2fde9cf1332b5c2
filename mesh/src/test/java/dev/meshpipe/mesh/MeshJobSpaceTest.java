package dev.meshpipe.mesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.out.MeshJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/** A job's {@code space} and the {@code 3mf} format, end to end through MeshJob. */
class MeshJobSpaceTest {
    static final List<MeshFormat> ALL = List.of(MeshFormat.values());

    record Run(MeshResult result, Map<String, byte[]> files) {}

    static Run run(Volume v, List<MeshFormat> formats, CoordinateSpace space, String name) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        MeshResult r = MeshJob.run(v, MeshOptions.defaults().withFormats(formats).withSpace(space).withName(name).withThreads(2), MeshJob.cpu(2), fileName -> new ByteArrayOutputStream() {
            @Override
            public void close() {
                files.put(fileName, toByteArray());
            }
        }, MeshJob.Progress.NONE);
        return new Run(r, files);
    }

    /** An off-centre volume with a non-trivial orientation, so every axis of the frame shows. */
    static Volume volume() {
        Volume v = SyntheticVolumes.create("torus:40", VolumeLimits.defaults());
        double[] m = {0, -1.5, 0, 40, 1.2, 0, 0, -25, 0, 0, 0.8, 7, 0, 0, 0, 1};
        return new Volume(v.nx(), v.ny(), v.nz(), v.data(), v.spacing(), m, v.objectAbove(), v.defaultIso(), v.description());
    }

    @Test
    void lpsNegatesXAndYOfEveryFileButGlbAndKeepsTheWinding() throws Exception {
        Run ras = run(volume(), ALL, CoordinateSpace.RAS, "torus");
        Run lps = run(volume(), ALL, CoordinateSpace.LPS, "torus");
        assertArrayEquals(ras.files().get("mesh.glb"), lps.files().get("mesh.glb"), "GLB stays in glTF's own frame");
        assertArrayEquals(ras.files().get("preview.png"), lps.files().get("preview.png"));
        float[] a = stlTriangles(ras.files().get("mesh.stl"));
        float[] b = stlTriangles(lps.files().get("mesh.stl"));
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i += 3) {
            // Normal and corners alike: (x, y, z) -> (-x, -y, z), in the same order, so the same winding.
            assertEquals(-a[i], b[i], 0f);
            assertEquals(-a[i + 1], b[i + 1], 0f);
            assertEquals(a[i + 2], b[i + 2], 0f);
        }
        String lpsModel = new String(unzip(lps.files().get("mesh.3mf")).get("3D/3dmodel.model"), StandardCharsets.UTF_8);
        assertTrue(lpsModel.contains("SPACE=LPS"), lpsModel.substring(0, 400));
        assertTrue(new String(lps.files().get("mesh.obj"), 0, 100, StandardCharsets.US_ASCII).startsWith("# meshpipe, SPACE=LPS, units: millimetres\n"));

        JsonNode qr = MeshJson.MAPPER.readTree(ras.files().get("quality.json"));
        JsonNode ql = MeshJson.MAPPER.readTree(lps.files().get("quality.json"));
        assertEquals("ras", qr.path("space").asText());
        assertEquals("lps", ql.path("space").asText());
        // The bounding box describes the files: in LPS, x and y swap ends and change sign.
        assertEquals(-qr.at("/boundingBox/max/0").asDouble(), ql.at("/boundingBox/min/0").asDouble(), 0);
        assertEquals(-qr.at("/boundingBox/min/1").asDouble(), ql.at("/boundingBox/max/1").asDouble(), 0);
        assertEquals(qr.at("/boundingBox/min/2").asDouble(), ql.at("/boundingBox/min/2").asDouble(), 0);
        assertEquals(qr.path("enclosedVolume").asDouble(), ql.path("enclosedVolume").asDouble(), 0);
        assertTrue(ql.path("enclosedVolume").asDouble() > 0);
    }

    @Test
    void theDefaultFormatsAreTheFourWithout3mf() throws Exception {
        Run r = run(SyntheticVolumes.create("sphere:24:8", VolumeLimits.defaults()), null, null, null);
        assertEquals(List.of("mesh.stl", "mesh.ply", "mesh.obj", "mesh.glb", "preview.png", "quality.json"), List.copyOf(r.files().keySet()));
        assertEquals("ras", MeshJson.MAPPER.readTree(r.files().get("quality.json")).path("space").asText());
    }

    @Test
    void the3mfObjectIsNamedAfterTheJob() throws Exception {
        Volume v = SyntheticVolumes.create("sphere:24:8", VolumeLimits.defaults());
        String named = new String(unzip(run(v, List.of(MeshFormat.THREE_MF), null, "left femur").files().get("mesh.3mf")).get("3D/3dmodel.model"), StandardCharsets.UTF_8);
        assertTrue(named.contains("name=\"left femur\""), named.substring(0, 600));
        String unnamed = new String(unzip(run(v, List.of(MeshFormat.THREE_MF), null, null).files().get("mesh.3mf")).get("3D/3dmodel.model"), StandardCharsets.UTF_8);
        assertTrue(unnamed.contains("name=\"surface\""), unnamed.substring(0, 600));
    }

    /** Per triangle: normal, then three corners; 12 floats. */
    static float[] stlTriangles(byte[] stl) {
        ByteBuffer b = ByteBuffer.wrap(stl).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt(80);
        float[] out = new float[12 * n];
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < 12; k++) {
                out[12 * t + k] = b.getFloat(84 + 50 * t + 4 * k);
            }
        }
        return out;
    }

    static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                parts.put(e.getName(), in.readAllBytes());
            }
        }
        return parts;
    }
}
