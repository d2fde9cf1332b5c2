package dev.meshpipe.standalone;

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
import dev.meshpipe.testsupport.PipelineExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every documented input kind (NIfTI-1 and NIfTI-2, plain and gzip; NRRD with raw and gzip
 * encoding; a synthetic spec) through every entry point: HTTP upload, a Kafka submission,
 * {@code ./meshpipe submit} and {@code ./meshpipe mesh}. The same 0/100 ball in each file must
 * give the same mesh everywhere, cut at the mask's midpoint by default; a detached-header NRRD is
 * refused with UNSUPPORTED_INPUT everywhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InputKindsTest {
    static final int N = 24;

    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("kinds");

    /** The ball's voxels, x fastest, little-endian int16. */
    static byte[] ballSamples() {
        byte[] nifti = TestNifti.ball(N, 8);
        return java.util.Arrays.copyOfRange(nifti, 352, nifti.length);
    }

    /** The ball as NRRD in RAS with unit spacing, so it lands where the NIfTI's identity sform puts it. */
    static byte[] nrrd(String encoding) {
        String header = "NRRD0004\n# the test ball\ntype: short\ndimension: 3\nspace: right-anterior-superior\nsizes: " + N + " " + N + " " + N
                + "\nspace directions: (1,0,0) (0,1,0) (0,0,1)\nspace origin: (0,0,0)\nendian: little\nencoding: " + encoding + "\n\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(encoding.equals("gzip") ? TestNifti.gzip(ballSamples()) : ballSamples());
        return out.toByteArray();
    }

    Map<String, Path> files() throws Exception {
        byte[] nifti1 = TestNifti.ball(N, 8);
        byte[] nifti2 = TestNifti.toNifti2(nifti1);
        Map<String, byte[]> kinds = new LinkedHashMap<>();
        kinds.put("ball.nii", nifti1);
        kinds.put("ball.nii.gz", TestNifti.gzip(nifti1));
        kinds.put("ball-nifti2.nii", nifti2);
        kinds.put("ball-nifti2.nii.gz", TestNifti.gzip(nifti2));
        kinds.put("ball-raw.nrrd", nrrd("raw"));
        kinds.put("ball-gzip.nrrd", nrrd("gzip"));
        Map<String, Path> files = new LinkedHashMap<>();
        for (var e : kinds.entrySet()) {
            Path p = pipeline.dir().resolve(e.getKey());
            Files.write(p, e.getValue());
            files.put(e.getKey(), p);
        }
        return files;
    }

    /** triangles, isovalue and source, and enclosed volume: what must agree across entry points. */
    static String summary(JsonNode q) {
        return q.path("triangles").asLong() + " triangles at " + q.path("isovalue").asDouble() + " (" + q.path("isovalueSource").asText()
                + "), " + String.format(java.util.Locale.ROOT, "%.3f", q.path("enclosedVolume").asDouble()) + " mm3";
    }

    @Test
    void everyInputKindMeshesAlikeThroughEveryEntryPoint() throws Exception {
        Map<String, Path> files = files();
        files.put("sphere:24:8", null);
        List<MeshFormat> stl = List.of(MeshFormat.STL);
        Map<String, String> kafkaIds = new LinkedHashMap<>();
        Map<String, String> httpIds = new LinkedHashMap<>();
        int n = 0;
        for (var e : files.entrySet()) {
            String kafkaId = "kinds-kafka-" + n++;
            InputRef input = e.getValue() == null ? new InputRef.Synthetic(e.getKey())
                    : new InputRef.Inline(Files.readAllBytes(e.getValue()), e.getKey());
            pipeline.cluster().produce(Topics.SUBMITTED, kafkaId, Json.bytes(new JobSubmission(input, new JobParams(null, null, stl, e.getKey()), null, Instant.now())));
            kafkaIds.put(e.getKey(), kafkaId);
            GatewayClient.Answer a = e.getValue() == null
                    ? pipeline.client().submitJson(Map.of("input", Map.of("synthetic", e.getKey()), "params", Map.of("formats", List.of("stl"))))
                    : pipeline.client().upload(e.getValue(), Map.of("formats", "stl", "name", e.getKey()));
            assertEquals(202, a.status(), e.getKey() + ": " + a.body());
            httpIds.put(e.getKey(), a.body().path("id").asText());
        }
        Map<String, String> reference = new LinkedHashMap<>();
        for (var e : files.entrySet()) {
            String input = e.getValue() == null ? e.getKey() : e.getValue().toString();
            MeshCommandTest.Run mesh = MeshCommandTest.run("mesh", input, "--formats", "stl", "--json", "--out", pipeline.dir().resolve("mesh-" + e.getKey()).toString());
            assertEquals(0, mesh.exit(), e.getKey() + ": " + mesh.err());
            String expected = summary(Json.MAPPER.readTree(mesh.out()));
            reference.put(e.getKey(), expected);

            Path out = pipeline.dir().resolve("submit-" + e.getKey().replace(':', '-'));
            MeshCommandTest.Run submit = MeshCommandTest.run("submit", input, "--server", pipeline.base(), "--formats", "stl", "--download", out.toString());
            assertEquals(0, submit.exit(), e.getKey() + ": " + submit.err());
            assertEquals(expected, summary(quality(downloadedZip(out, submit.out().trim()))), "meshpipe submit " + e.getKey());
            assertEquals(expected, summary(finishedQuality(httpIds.get(e.getKey()))), "HTTP " + e.getKey());
            assertEquals(expected, summary(finishedQuality(kafkaIds.get(e.getKey()))), "Kafka " + e.getKey());
            System.out.println(e.getKey() + ": " + expected + " through mesh, submit, HTTP and Kafka");
        }
        // All six files hold the same ball, cut halfway between 0 and 100.
        String ball = reference.get("ball.nii");
        assertTrue(ball.contains(" at 50.0 (auto (midpoint of a two-valued mask"), ball);
        reference.forEach((kind, s) -> assertTrue(kind.startsWith("sphere") || s.equals(ball), kind + ": " + s + " against " + ball));
    }

    @Test
    void aDetachedHeaderNrrdIsUnsupportedEverywhere() throws Exception {
        Path nhdr = pipeline.dir().resolve("ball.nhdr");
        Files.writeString(nhdr, "NRRD0004\ntype: short\ndimension: 3\nsizes: 24 24 24\nendian: little\nencoding: raw\ndata file: ball.raw\n");
        Files.write(pipeline.dir().resolve("ball.raw"), ballSamples());

        GatewayClient.Answer http = pipeline.client().upload(nhdr, Map.of());
        assertEquals(400, http.status(), http.body().toString());
        assertEquals("UNSUPPORTED_INPUT", http.body().path("code").asText(), http.body().toString());
        assertTrue(http.body().path("detail").asText().contains("detached"), http.body().toString());

        pipeline.cluster().produce(Topics.SUBMITTED, "kinds-nhdr", Json.bytes(new JobSubmission(
                new InputRef.Inline(Files.readAllBytes(nhdr), "ball.nhdr"), null, null, Instant.now())));
        JsonNode failed = pipeline.client().awaitFinished("kinds-nhdr", Duration.ofSeconds(90));
        assertEquals("FAILED", failed.path("state").asText(), failed.toString());
        assertEquals("UNSUPPORTED_INPUT", failed.path("error").path("code").asText(), failed.toString());

        MeshCommandTest.Run submit = MeshCommandTest.run("submit", nhdr.toString(), "--server", pipeline.base());
        assertEquals(2, submit.exit(), submit.err());
        assertTrue(submit.err().contains("UNSUPPORTED_INPUT"), submit.err());
        MeshCommandTest.Run mesh = MeshCommandTest.run("mesh", nhdr.toString());
        assertEquals(2, mesh.exit(), mesh.err());
        assertTrue(mesh.err().contains("detached"), mesh.err());
    }

    JsonNode finishedQuality(String id) throws Exception {
        JsonNode s = pipeline.client().awaitFinished(id, Duration.ofSeconds(90));
        assertEquals("SUCCEEDED", s.path("state").asText(), s.toString());
        Path zip = pipeline.dir().resolve(id + ".zip");
        assertEquals(200, pipeline.client().download(id, zip).status());
        return quality(zip);
    }

    /** The ZIP the CLI saved for a job: {@code {name}-{id}.zip}, or {@code {id}.zip} for an unnamed one. */
    static Path downloadedZip(Path dir, String id) throws Exception {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().equals(id + ".zip") || f.getFileName().toString().endsWith("-" + id + ".zip"))
                    .findFirst().orElseThrow(() -> new AssertionError("no ZIP of job " + id + " in " + dir));
        }
    }

    static JsonNode quality(Path zip) throws Exception {
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().endsWith("/quality.json")) {
                    return Json.MAPPER.readTree(z.readAllBytes());
                }
            }
        }
        throw new AssertionError("no quality.json in " + zip);
    }
}
