package dev.meshpipe.standalone;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.mesh.io.TestNifti;
import dev.meshpipe.testsupport.PipelineExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Label maps through every entry point of the running pipeline (a real in-process KRaft broker):
 * an upload, a Kafka submission and {@code meshpipe submit} each give a ZIP with a file per
 * structure under {@code labels/}, one GLB, one 3MF and quality.json per structure; bad label
 * parameters are a clear 400; a scan stays an isosurface.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabelsPipelineTest {
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("lbl");

    static final String COLORS = "{\"1\": {\"name\": \"liver\", \"color\": \"#a0522d\"}, \"3\": {\"name\": \"spleen\", \"color\": [0, 128, 255]}}";
    static final Path CH2 = Path.of("/usr/share/mricron/templates/ch2.nii.gz");

    @Test
    void aLabelMapThroughUploadKafkaAndSubmit() throws Exception {
        Path nii = pipeline.dir().resolve("boxes.nii.gz");
        Files.write(nii, TestNifti.gzip(TestNifti.threeBoxes()));
        Path colors = pipeline.dir().resolve("colors.json");
        Files.writeString(colors, COLORS);

        GatewayClient.Answer upload = pipeline.client().upload(nii, Map.of("labels", "1,3", "colors", COLORS));
        assertEquals(202, upload.status(), upload.body().toString());
        JobParams kafka = new JobParams(null, null, null, "kafka boxes").withLabels("labels", "1,3", null, COLORS);
        pipeline.cluster().produce(Topics.SUBMITTED, "lbl-kafka-1",
                Json.bytes(new JobSubmission(new InputRef.Inline(Files.readAllBytes(nii), "boxes.nii.gz"), kafka, null, Instant.now())));
        Path cliOut = pipeline.dir().resolve("cli");
        MeshCommandTest.Run cli = MeshCommandTest.run("submit", nii.toString(), "--server", pipeline.base(), "--labels", "1,3",
                "--colors", colors.toString(), "--download", cliOut.toString());
        assertEquals(0, cli.exit(), cli.err());

        String cliId = cli.out().trim().lines().findFirst().orElseThrow();
        for (String id : List.of(upload.body().path("id").asText(), "lbl-kafka-1", cliId)) {
            JsonNode s = pipeline.client().awaitFinished(id, Duration.ofSeconds(120));
            assertEquals("SUCCEEDED", s.path("state").asText(), s.toString());
            Path zip = pipeline.dir().resolve(id + ".zip");
            assertEquals(200, pipeline.client().download(id, zip).status());
            Map<String, byte[]> entries = PrintOutputsTest.unzip(zip);
            for (String f : List.of("labels/1-liver.stl", "labels/3-spleen.stl", "labels.glb", "labels.3mf", "quality.json")) {
                assertTrue(entries.containsKey(f) && entries.get(f).length > 0, id + ": " + f + " in " + entries.keySet());
            }
            assertFalse(entries.keySet().stream().anyMatch(n -> n.startsWith("labels/2-") || n.startsWith("mesh.")), entries.keySet().toString());
            JsonNode q = Json.MAPPER.readTree(entries.get("quality.json"));
            assertEquals("labels", q.path("mode").asText());
            assertEquals(2, q.path("structures").size(), q.toString());
            assertEquals("#a0522d", q.path("structures").path(0).path("colour").asText());
            assertEquals("spleen", q.path("structures").path(1).path("name").asText());
            long triangles = 0;
            for (JsonNode st : q.path("structures")) {
                triangles += st.path("triangles").asLong();
                assertEquals(6 * 14 * 10, st.path("voxels").asLong());
                assertTrue(st.path("watertight").asBoolean(), st.toString());
            }
            assertEquals(triangles, s.path("triangles").asLong(), "the job's summary covers every structure: " + s);
            assertEquals("labels", s.path("mode").asText(), "the status says which mode ran: " + s);
            assertEquals(q.path("modeReason").asText(), s.path("modeReason").asText(), s.toString());
            assertEquals("/jobs/" + id + "/preview.png", s.path("preview").asText(), "every structure in one picture: " + s);
            assertTrue(entries.containsKey("preview.png"), entries.keySet().toString());
            HttpResponse<byte[]> png = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs/" + id + "/preview.png")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, png.statusCode());
            assertArrayEquals(entries.get("preview.png"), png.body());
            // The web page's 3D view gets the scene of every structure.
            HttpResponse<byte[]> glb = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs/" + id + "/mesh.glb")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, glb.statusCode());
            assertEquals(List.of(entries.get("labels.glb").length), List.of(glb.body().length));
        }
    }

    /** The demo's job: AAL with its own names sent in the upload's query string, every structure in the ZIP. */
    @Test
    void theAalAtlasWithItsNamesAsAnUpload() throws Exception {
        Path aal = DemoCommand.AAL;
        assumeTrue(Files.exists(aal), "mricron-data's aal.nii.gz");
        GatewayClient.Answer a = pipeline.client().upload(aal, Map.of("mode", "labels", "formats", "stl,glb",
                "colors", Files.readString(aal.resolveSibling("aal.nii.txt"))));
        assertEquals(202, a.status(), a.body().toString());
        String id = a.body().path("id").asText();
        JsonNode s = pipeline.client().awaitFinished(id, Duration.ofSeconds(180));
        assertEquals("SUCCEEDED", s.path("state").asText(), s.toString());
        Path zip = pipeline.dir().resolve(id + ".zip");
        assertEquals(200, pipeline.client().download(id, zip).status());
        Map<String, byte[]> entries = PrintOutputsTest.unzip(zip);
        assertTrue(entries.containsKey("labels/1-Precentral_L.stl"), entries.keySet().toString());
        assertTrue(entries.containsKey("labels/116-Vermis_10.stl"), entries.keySet().toString());
        assertEquals(116, entries.keySet().stream().filter(n -> n.startsWith("labels/")).count());
        JsonNode q = Json.MAPPER.readTree(entries.get("quality.json"));
        assertEquals(116, q.path("totals").path("structures").asInt());
    }

    /** A FreeSurfer-sized colour table (1,300 entries, about 60 KB) goes beside the volume from the CLI, as a form part. */
    @Test
    void aFullSizeColourTableTravelsBesideTheVolume() throws Exception {
        Path nii = pipeline.dir().resolve("boxes-lut.nii.gz");
        Files.write(nii, TestNifti.gzip(TestNifti.threeBoxes()));
        StringBuilder lut = new StringBuilder("#No. Label Name:                            R   G   B   A\n");
        for (int i = 0; i < 1300; i++) {
            lut.append(String.format("%-5d %-40s %3d %3d %3d   0%n", i, i == 3 ? "Right-Spleen-From-A-Long-Table" : "Structure-" + i, i % 256, 20, 200));
        }
        assertTrue(lut.length() > 60_000, "larger than any request line: " + lut.length());
        Path table = pipeline.dir().resolve("FreeSurferColorLUT.txt");
        Files.writeString(table, lut);
        Path out = pipeline.dir().resolve("lut-out");
        MeshCommandTest.Run cli = MeshCommandTest.run("submit", nii.toString(), "--server", pipeline.base(), "--labels", "3",
                "--colors", table.toString(), "--download", out.toString());
        assertEquals(0, cli.exit(), cli.err());
        String id = cli.out().trim().lines().findFirst().orElseThrow();
        Map<String, byte[]> entries = PrintOutputsTest.unzip(InputKindsTest.downloadedZip(out, id));
        assertTrue(entries.containsKey("labels/3-Right-Spleen-From-A-Long-Table.stl"), entries.keySet().toString());
    }

    @Test
    void badLabelParametersAreAClear400() throws Exception {
        HttpResponse<String> r = upload("labels=" + URLEncoder.encode("9-5", StandardCharsets.UTF_8));
        assertProblem(r, 400, "INVALID_PARAMETER");
        assertTrue(r.body().contains("labels: range 9-5 runs backwards"), r.body());
        HttpResponse<String> mode = upload("mode=atlas");
        assertProblem(mode, 400, "INVALID_PARAMETER");
        assertTrue(mode.body().contains("mode must be auto, surface or labels"), mode.body());
        HttpResponse<String> colors = upload("colors=" + URLEncoder.encode("1 a 300 0 0 0", StandardCharsets.UTF_8));
        assertProblem(colors, 400, "INVALID_PARAMETER");
        assertTrue(colors.body().contains("300"), colors.body());
        GatewayClient.Answer json = pipeline.client().submitJson(Map.of("input", Map.of("synthetic", "sphere:16:5"),
                "params", Map.of("labels", "1,x")));
        assertEquals(400, json.status(), json.body().toString());
        assertEquals("INVALID_PARAMETER", json.body().path("code").asText());
        assertTrue(json.body().path("detail").asText().contains("labels: expected ids and ranges like 1,3,5-9, got '1,x'"), json.body().toString());
        MeshCommandTest.Run cli = MeshCommandTest.run("submit", "sphere:16:5", "--server", pipeline.base(), "--labels", "9-5");
        assertEquals(2, cli.exit());
        assertTrue(cli.err().contains("labels: range 9-5 runs backwards"), cli.err());
    }

    /** mode=labels on a distance field is a FAILED job with the library's reason, not a wrong mesh. */
    @Test
    void labelModeOnAnImageFailsWithItsReason() throws Exception {
        GatewayClient.Answer a = pipeline.client().submitJson(Map.of("input", Map.of("synthetic", "sphere:16:5"),
                "params", Map.of("mode", "labels")));
        assertEquals(202, a.status(), a.body().toString());
        JsonNode s = pipeline.client().awaitFinished(a.body().path("id").asText(), Duration.ofSeconds(120));
        assertEquals("FAILED", s.path("state").asText(), s.toString());
        assertEquals("INVALID_VOLUME", s.path("error").path("code").asText(), s.toString());
        assertTrue(s.path("error").path("message").asText().startsWith("not a label map"), s.toString());
    }

    @Test
    void autoModeLeavesAScanAnIsosurface() throws Exception {
        assumeTrue(Files.exists(CH2), "mricron-data's ch2.nii.gz");
        GatewayClient.Answer a = pipeline.client().upload(CH2, Map.of("formats", "stl"));
        assertEquals(202, a.status(), a.body().toString());
        String id = a.body().path("id").asText();
        JsonNode s = pipeline.client().awaitFinished(id, Duration.ofSeconds(180));
        assertEquals("SUCCEEDED", s.path("state").asText(), s.toString());
        assertEquals("surface", s.path("mode").asText(), s.toString());
        HttpResponse<byte[]> r = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs/" + id + "/quality.json")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        JsonNode q = Json.MAPPER.readTree(r.body());
        assertEquals("surface", q.path("mode").asText(), q.toString());
        assertTrue(q.path("modeReason").asText().contains("an image"), q.path("modeReason").asText());
    }

    private HttpResponse<String> upload(String query) throws Exception {
        return pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs?" + query))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestNifti.gzip(TestNifti.threeBoxes()))).build(), HttpResponse.BodyHandlers.ofString());
    }
}
