package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.io.dicom.TestDicom;
import dev.meshpipe.testsupport.PipelineExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A DICOM series through the whole pipeline: uploaded as application/zip, and claim-checked over Kafka. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DicomPipelineTest {
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("dicom");

    static List<byte[]> series(String uid, int slices) {
        List<byte[]> out = new ArrayList<>();
        for (int k = 0; k < slices; k++) {
            out.add(TestDicom.slice(uid, 2.0 * k, TestDicom.EXPLICIT_LE));
        }
        return out;
    }

    @Test
    void aZipUploadIsMeshedAndSeveralSeriesNeedAName() throws Exception {
        byte[] one = TestDicom.zip(series("1.2.3", 4));
        JsonNode ok = awaitFinished(post("application/zip", one, "?iso=15&formats=stl"));
        assertEquals("SUCCEEDED", ok.path("state").asText(), ok.toString());

        List<byte[]> two = series("1.2.3", 4);
        two.addAll(series("1.2.4", 3));
        byte[] both = TestDicom.zip(two);
        JsonNode ambiguous = awaitFinished(post("application/zip", both, "?iso=15"));
        assertEquals("FAILED", ambiguous.path("state").asText());
        assertEquals("AMBIGUOUS_SERIES", ambiguous.path("error").path("code").asText(), ambiguous.toString());
        assertTrue(ambiguous.path("error").path("message").asText().contains("1.2.4"), ambiguous.toString());

        JsonNode named = awaitFinished(post("application/zip", both, "?iso=15&series=1.2.4"));
        assertEquals("SUCCEEDED", named.path("state").asText(), named.toString());

        HttpResponse<String> notZip = post("application/zip", "hello, not a zip".getBytes(), "");
        assertEquals(422, notZip.statusCode(), notZip.body());
        assertEquals("INVALID_VOLUME", Json.MAPPER.readTree(notZip.body()).path("code").asText());

        HttpResponse<String> badSeries = post("application/zip", one, "?series=DROP%20TABLE");
        assertEquals(400, badSeries.statusCode(), badSeries.body());

        JsonNode lone = awaitFinished(post("application/octet-stream", TestDicom.slice("1.2.5", 0, TestDicom.EXPLICIT_LE), ""));
        assertEquals("NOT_A_VOLUME", lone.path("error").path("code").asText(), lone.toString());
    }

    @Test
    void aStoredZipSubmittedOverKafkaIsMeshed() throws Exception {
        String id = "dicom-kafka-1";
        String key = "inputs/" + id + "/series.zip";
        List<byte[]> two = series("1.2.3", 4);
        two.addAll(series("1.2.4", 3));
        try (ObjectStore.Upload up = pipeline.store().create(key)) {
            up.write(TestDicom.zip(two));
        }
        JobParams params = new JobParams("15", null, null, "series over kafka").withSpaceAndSeries(null, "1.2.3");
        pipeline.cluster().produce(Topics.SUBMITTED, id, Json.bytes(new JobSubmission(new InputRef.StoredObject(key, null), params, null, Instant.now())));
        JsonNode s = pipeline.client().awaitFinished(id, Duration.ofSeconds(90));
        assertEquals("SUCCEEDED", s.path("state").asText(), s.toString());
    }

    /** An enhanced multi-frame CT file (frames stored out of order) is one volume on every path: upload, Kafka, the CLI client and mesh. */
    @Test
    void anEnhancedMultiFrameFileIsAVolumeOnEveryPath() throws Exception {
        Path file = Path.of("..", "mesh", "src", "test", "resources", "dev", "meshpipe", "mesh", "io", "dicom", "DicomFuzzTestInputs",
                "anyDicomBytesReadOrFailWithADocumentedCode", "enhanced-3-frames");
        byte[] bytes = Files.readAllBytes(file);
        JsonNode upload = awaitFinished(post("application/octet-stream", bytes, "?iso=100&formats=stl"));
        assertEquals("SUCCEEDED", upload.path("state").asText(), upload.toString());

        String id = "dicom-enhanced-kafka";
        String key = "inputs/" + id + "/enhanced.dcm";
        try (ObjectStore.Upload up = pipeline.store().create(key)) {
            up.write(bytes);
        }
        pipeline.cluster().produce(Topics.SUBMITTED, id, Json.bytes(new JobSubmission(new InputRef.StoredObject(key, null),
                new JobParams("100", null, null, "enhanced over kafka"), null, Instant.now())));
        JsonNode kafka = pipeline.client().awaitFinished(id, Duration.ofSeconds(90));
        assertEquals("SUCCEEDED", kafka.path("state").asText(), kafka.toString());
        assertEquals(upload.path("triangles").asLong(), kafka.path("triangles").asLong(), "the same volume either way");

        MeshCommandTest.Run cli = MeshCommandTest.run("submit", file.toString(), "--server", pipeline.base(), "--iso", "100", "--wait");
        assertEquals(0, cli.exit(), cli.err());
        JsonNode viaCli = pipeline.client().awaitFinished(cli.out().trim().lines().findFirst().orElseThrow(), Duration.ofSeconds(90));
        assertEquals(upload.path("triangles").asLong(), viaCli.path("triangles").asLong(), viaCli.toString());

        Path out = pipeline.dir().resolve("enhanced-mesh");
        MeshCommandTest.Run mesh = MeshCommandTest.run("mesh", file.toString(), "--iso", "100", "--formats", "stl", "--out", out.toString(), "--json");
        assertEquals(0, mesh.exit(), mesh.err());
        assertEquals(upload.path("triangles").asLong(), Json.MAPPER.readTree(mesh.out()).path("triangles").asLong(), mesh.out());
    }

    private HttpResponse<String> post(String type, byte[] body, String query) throws Exception {
        return pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs" + query)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode awaitFinished(HttpResponse<String> r) throws Exception {
        assertEquals(202, r.statusCode(), r.body());
        return pipeline.client().awaitFinished(Json.MAPPER.readTree(r.body()).path("id").asText(), Duration.ofSeconds(90));
    }
}
