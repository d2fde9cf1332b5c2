package dev.meshpipe.standalone;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.mesh.io.TestNifti;
import dev.meshpipe.testsupport.PipelineExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code smooth} preset through every entry point of the running pipeline (a real in-process
 * KRaft broker): an HTTP upload, a JSON request and a Kafka submission each come out smoothed, with
 * the volume kept and the figures in quality.json; a bad preset is a clear 400.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FinishingPipelineTest {
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("fin");

    @Test
    void smoothPresetThroughHttpJsonAndKafka() throws Exception {
        Path nii = pipeline.dir().resolve("ball.nii.gz");
        Files.write(nii, TestNifti.gzip(TestNifti.ball(24, 8)));
        GatewayClient.Answer upload = pipeline.client().upload(nii, Map.of("iso", "50", "preset", "smooth", "formats", "stl"));
        assertEquals(202, upload.status(), upload.body().toString());
        GatewayClient.Answer json = pipeline.client().submitJson(Map.of("input", Map.of("synthetic", "sphere:40:12"),
                "params", Map.of("preset", "smooth", "formats", java.util.List.of("stl"))));
        assertEquals(202, json.status(), json.body().toString());
        JobParams smooth = new JobParams(null, null, null, "kafka ball").withFinishing("smooth", null, null, null, null, null, null);
        pipeline.cluster().produce(dev.meshpipe.common.Topics.SUBMITTED, "fin-kafka-1",
                Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:40:12"), smooth, null, Instant.now())));
        // The CLI client: a synthetic spec goes as JSON, a file as an upload, both with --preset.
        MeshCommandTest.Run cliSpec = MeshCommandTest.run("submit", "sphere:40:12", "--server", pipeline.base(), "--preset", "smooth",
                "--keep-largest", "--formats", "stl");
        assertEquals(0, cliSpec.exit(), cliSpec.err());
        MeshCommandTest.Run cliFile = MeshCommandTest.run("submit", nii.toString(), "--server", pipeline.base(), "--iso", "50",
                "--preset", "smooth", "--formats", "stl");
        assertEquals(0, cliFile.exit(), cliFile.err());
        MeshCommandTest.Run cliBad = MeshCommandTest.run("submit", "sphere:40:12", "--server", pipeline.base(), "--preset", "glossy");
        assertEquals(2, cliBad.exit());
        assertTrue(cliBad.err().contains("preset must be one of raw, smooth, print, web"), cliBad.err());
        for (String id : new String[] {upload.body().path("id").asText(), json.body().path("id").asText(), "fin-kafka-1",
                cliSpec.out().trim(), cliFile.out().trim()}) {
            JsonNode s = pipeline.client().awaitFinished(id, Duration.ofSeconds(120));
            assertEquals("SUCCEEDED", s.path("state").asText(), s.toString());
            JsonNode f = quality(id).path("finishing");
            assertEquals("smooth", f.path("options").path("preset").asText(), f.toString());
            assertEquals(20, f.path("options").path("smoothingIterations").asInt());
            assertEquals("smooth", f.path("stages").path(0).path("name").asText());
            assertTrue(Math.abs(f.path("volumeChangePercent").asDouble()) < 0.5, f.toString());
            assertTrue(f.path("hausdorffToRaw").path("max").asDouble() > 0, f.toString());
            assertTrue(f.path("surface").path("watertight").asBoolean() && f.path("surface").path("manifold").asBoolean(), f.toString());
        }
    }

    @Test
    void aPrintJobsStatusCarriesItsAccuracyToTheCli() throws Exception {
        GatewayClient.Answer print = pipeline.client().submitJson(Map.of("input", Map.of("synthetic", "sphere:40:12"),
                "params", Map.of("preset", "print", "formats", java.util.List.of("stl"))));
        assertEquals(202, print.status(), print.body().toString());
        GatewayClient.Answer raw = pipeline.client().submitJson(Map.of("input", Map.of("synthetic", "sphere:40:12"),
                "params", Map.of("formats", java.util.List.of("stl"))));
        assertEquals(202, raw.status(), raw.body().toString());
        String id = print.body().path("id").asText();
        JsonNode s = pipeline.client().awaitFinished(id, Duration.ofSeconds(120));
        assertEquals("SUCCEEDED", s.path("state").asText(), s.toString());
        JsonNode a = s.path("accuracy");
        assertEquals("print", a.path("preset").asText(), s.toString());
        assertTrue(a.path("watertight").asBoolean() && a.path("manifold").asBoolean() && a.path("orientedConsistently").asBoolean(),
                a.toString());
        assertEquals(0, a.path("selfIntersections").asLong(-1), a.toString());
        assertTrue(a.path("triangles").asLong() < a.path("trianglesRaw").asLong(), "print decimates: " + a);
        // The status's figures are quality.json's, not a second measurement.
        JsonNode f = quality(id).path("finishing");
        double p95 = a.path("hausdorffMm").path("p95").asDouble(-1);
        assertTrue(p95 > 0, a.toString());
        assertEquals(f.path("hausdorffToRaw").path("p95").asDouble(), p95, 1e-12);
        assertEquals(f.path("volumeChangePercent").asDouble(), a.path("volumeChangePercent").asDouble(), 1e-12);

        JsonNode r = pipeline.client().awaitFinished(raw.body().path("id").asText(), Duration.ofSeconds(120)).path("accuracy");
        assertEquals("raw", r.path("preset").asText(), r.toString());
        assertEquals(r.path("trianglesRaw").asLong(), r.path("triangles").asLong(), r.toString());
        assertTrue(r.path("hausdorffMm").isMissingNode(), "the raw surface has no distance to itself to report: " + r);

        MeshCommandTest.Run cli = MeshCommandTest.run("status", id, "--server", pipeline.base());
        assertEquals(0, cli.exit(), cli.err());
        JsonNode printed = Json.MAPPER.readTree(cli.out()).path("accuracy");
        assertEquals(p95, printed.path("hausdorffMm").path("p95").asDouble(-1), 1e-12, cli.out());
        assertTrue(printed.path("manifold").asBoolean(), cli.out());
    }

    @Test
    void anUnknownPresetIsAClear400() throws Exception {
        HttpResponse<String> r = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs?preset=glossy"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestNifti.gzip(TestNifti.ball(8, 3)))).build(), HttpResponse.BodyHandlers.ofString());
        assertProblem(r, 400, "INVALID_PARAMETER");
        assertTrue(r.body().contains("preset"), r.body());
    }

    private JsonNode quality(String id) throws Exception {
        HttpResponse<byte[]> r = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs/" + id + "/quality.json")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), new String(r.body()));
        return Json.MAPPER.readTree(r.body());
    }
}
