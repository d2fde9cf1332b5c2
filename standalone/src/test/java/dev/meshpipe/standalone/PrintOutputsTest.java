package dev.meshpipe.standalone;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.mesh.MeshFormat;
import dev.meshpipe.mesh.io.TestNifti;
import dev.meshpipe.mesh.out.PrintJudges;
import dev.meshpipe.testsupport.PipelineExtension;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code formats=3mf} and {@code space=lps} through every way in: an HTTP upload, the JSON form,
 * a Kafka submission and the {@code submit} command, against a real in-process KRaft broker. The
 * ZIPs' 3MF and STL are judged by lib3mf and PrusaSlicer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrintOutputsTest {
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("print");

    @Test
    void threeMfInLpsThroughEveryEntryPoint() throws Exception {
        Map<String, String> jobs = new LinkedHashMap<>(); // id -> the name its 3MF object must have
        pipeline.cluster().produce(Topics.SUBMITTED, "print-kafka-1", Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:40:15"),
                new JobParams(null, null, List.of(MeshFormat.THREE_MF, MeshFormat.STL), "kafka ball").withSpaceAndSeries("lps", null), null, Instant.now())));
        jobs.put("print-kafka-1", "kafka ball");

        GatewayClient.Answer json = pipeline.client().submitJson(Map.of("input", Map.of("synthetic", "sphere:40:15"),
                "params", Map.of("formats", List.of("3mf", "stl"), "space", "lps", "name", "json ball")));
        assertEquals(202, json.status(), json.body().toString());
        jobs.put(json.body().path("id").asText(), "json ball");

        Path nii = pipeline.dir().resolve("ball.nii.gz");
        Files.write(nii, TestNifti.gzip(TestNifti.ball(40, 12)));
        GatewayClient.Answer upload = pipeline.client().upload(nii, Map.of("iso", "50", "formats", "3MF,stl", "space", "LPS", "name", "upload ball"));
        assertEquals(202, upload.status(), upload.body().toString());
        jobs.put(upload.body().path("id").asText(), "upload ball");

        Path cliOut = pipeline.dir().resolve("cli");
        MeshCommandTest.Run cli = MeshCommandTest.run("submit", "sphere:40:15", "--server", pipeline.base(), "--formats", "3mf,stl",
                "--space", "lps", "--download", cliOut.toString());
        assertEquals(0, cli.exit(), cli.err());
        jobs.put(cli.out().trim(), "sphere:40:15");

        Path checker = lib3mfCheckerOrNull();
        for (var job : jobs.entrySet()) {
            String id = job.getKey();
            JsonNode s = pipeline.client().awaitFinished(id, Duration.ofSeconds(120));
            assertEquals("SUCCEEDED", s.path("state").asText(), s.toString());
            Path zip = pipeline.dir().resolve(id + ".zip");
            assertEquals(200, pipeline.client().download(id, zip).status());
            Map<String, byte[]> entries = unzip(zip);
            assertEquals(java.util.Set.of("mesh.3mf", "mesh.stl", "quality.json", "preview.png", "manifest.json"), entries.keySet(), id);
            try (ZipFile z = new ZipFile(zip.toFile())) {
                assertEquals(ZipEntry.STORED, z.getEntry(id + "/mesh.3mf").getMethod(), "a 3MF is a ZIP already");
            }
            JsonNode quality = Json.MAPPER.readTree(entries.get("quality.json"));
            assertEquals("lps", quality.path("space").asText(), id);
            JsonNode manifest = Json.MAPPER.readTree(entries.get("manifest.json"));
            assertEquals("lps", manifest.at("/params/space").asText(), manifest.toString());
            // Every test volume lies at positive RAS x and y, so in LPS both are negative.
            assertTrue(quality.at("/boundingBox/max/0").asDouble() < 0 && quality.at("/boundingBox/max/1").asDouble() < 0, quality.toString());
            byte[] stl = entries.get("mesh.stl");
            assertTrue(new String(stl, 0, 80, StandardCharsets.US_ASCII).contains("SPACE=LPS"), id);
            assertTrue(ByteBuffer.wrap(stl).order(ByteOrder.LITTLE_ENDIAN).getFloat(84 + 12) < 0, "the first corner's x is negative in LPS");
            String model = new String(unzipBytes(entries.get("mesh.3mf")).get("3D/3dmodel.model"), StandardCharsets.UTF_8);
            assertTrue(model.contains("unit=\"millimeter\"") && model.contains("SPACE=LPS"), model.substring(0, 500));
            assertTrue(model.contains("name=\"" + job.getValue() + "\""), model.substring(0, 800));

            long triangles = quality.path("triangles").asLong();
            Path stlFile = Files.write(pipeline.dir().resolve(id + ".stl"), stl);
            Path threeMf = Files.write(pipeline.dir().resolve(id + ".3mf"), entries.get("mesh.3mf"));
            if (checker != null) {
                String report = PrintJudges.lib3mf(checker, threeMf);
                assertTrue(report.contains("objects 1\n") && report.contains("name=" + job.getValue() + " ")
                        && report.contains("triangles=" + triangles + " manifold=1"), report);
            }
            PrintJudges.assertPrintReady(stlFile, triangles);
            PrintJudges.assertPrintReady(threeMf, triangles);
        }
        assertTrue(Files.exists(InputKindsTest.downloadedZip(cliOut, jobs.keySet().stream().reduce((a, b) -> b).orElseThrow())));
    }

    @Test
    void aBadSpaceIsRefusedClearlyAtEveryEntryPoint() throws Exception {
        byte[] ball = TestNifti.ball(16, 5);
        HttpResponse<String> r = post("application/octet-stream", ball, "?space=ijk");
        assertProblem(r, 400, "INVALID_PARAMETER");
        assertTrue(r.body().contains("space must be 'ras' or 'lps', got 'ijk'"), r.body());
        r = post("application/json", "{\"input\":{\"synthetic\":\"sphere:16:5\"},\"params\":{\"space\":\"world\"}}".getBytes(StandardCharsets.UTF_8), "");
        assertProblem(r, 400, "INVALID_PARAMETER");
        assertTrue(r.body().contains("space must be 'ras' or 'lps', got 'world'"), r.body());
        r = post("application/octet-stream", ball, "?formats=3mf,fbx");
        assertProblem(r, 400, "INVALID_PARAMETER");
        assertTrue(r.body().contains("(expected stl, ply, obj, glb, 3mf)"), r.body());

        pipeline.cluster().produce(Topics.SUBMITTED, "bad-space-1", Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:16:5"),
                new JobParams(null, null, null, null).withSpaceAndSeries("grid", null), null, Instant.now())));
        JsonNode s = pipeline.client().awaitFinished("bad-space-1", Duration.ofSeconds(90));
        assertEquals("FAILED", s.path("state").asText(), s.toString());
        assertEquals("INVALID_PARAMETER", s.path("error").path("code").asText(), s.toString());
        assertTrue(s.path("error").path("message").asText().contains("space"), s.toString());

        MeshCommandTest.Run cli = MeshCommandTest.run("submit", "sphere:16:5", "--space", "xyz", "--server", pipeline.base());
        assertEquals(2, cli.exit());
        // Checked by the command itself, before anything is sent, like every other option.
        assertTrue(cli.err().contains("space must be 'ras' or 'lps', got 'xyz'"), cli.err());
    }

    private Path lib3mfCheckerOrNull() throws Exception {
        if (!"true".equals(System.getenv("CI")) && !(PrintJudges.onPath("g++") && Files.exists(Path.of("/usr/include/lib3mf")))) {
            return null; // PrintJudges' own tests skip with the reason
        }
        return PrintJudges.lib3mfChecker(Files.createDirectories(pipeline.dir().resolve("checker")));
    }

    HttpResponse<String> post(String type, byte[] body, String query) throws Exception {
        return pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs" + query)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Entries by their name within the job's folder. */
    static Map<String, byte[]> unzip(Path zip) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (var e : unzipBytes(Files.readAllBytes(zip)).entrySet()) {
            out.put(e.getKey().substring(e.getKey().indexOf('/') + 1), e.getValue());
        }
        return out;
    }

    static Map<String, byte[]> unzipBytes(byte[] zip) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                out.put(e.getName(), z.readAllBytes());
            }
        }
        return out;
    }
}
