package dev.meshpipe.standalone;

import static dev.meshpipe.testsupport.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.mesh.io.TestNifti;
import dev.meshpipe.mesh.testing.Prerequisites;
import dev.meshpipe.testsupport.PipelineExtension;
import dev.meshpipe.testsupport.TestCluster;
import dev.meshpipe.testsupport.TopicReader;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole pipeline against a real in-process KRaft broker ({@link TestCluster}). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineTest {
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("it");

    @Test
    void jobsSubmittedOverKafkaAndHttpComeOutAsZips() throws Exception {
        String viaKafka = "kafka-job-1";
        produce(viaKafka, Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:32:10"), new JobParams(null, null, null, "ball"), null, Instant.now())));
        GatewayClient.Answer json = pipeline.client().submitJson(Map.of("input", Map.of("synthetic", "torus:40"), "params", Map.of("formats", List.of("stl", "glb"))));
        assertEquals(202, json.status(), json.body().toString());
        Path nii = pipeline.dir().resolve("ball.nii.gz");
        Files.write(nii, TestNifti.gzip(TestNifti.ball(24, 8)));
        GatewayClient.Answer upload = pipeline.client().upload(nii, Map.of("iso", "50", "name", "ball.nii.gz"));
        assertEquals(202, upload.status(), upload.body().toString());
        assertEquals("QUEUED", upload.body().path("state").asText());

        Map<String, Set<String>> expected = new HashMap<>();
        expected.put(viaKafka, Set.of("mesh.stl", "mesh.ply", "mesh.obj", "mesh.glb", "quality.json", "preview.png", "manifest.json"));
        expected.put(json.body().path("id").asText(), Set.of("mesh.stl", "mesh.glb", "quality.json", "preview.png", "manifest.json"));
        expected.put(upload.body().path("id").asText(), expected.get(viaKafka));
        for (var e : expected.entrySet()) {
            JsonNode s = awaitFinished(e.getKey());
            assertEquals("SUCCEEDED", s.path("state").asText(), s.toString());
            Path zip = pipeline.dir().resolve(e.getKey() + ".zip");
            assertEquals(200, pipeline.client().download(e.getKey(), zip).status());
            Map<String, byte[]> entries = unzip(zip);
            Set<String> names = new TreeSet<>();
            for (String n : entries.keySet()) {
                assertTrue(n.startsWith(e.getKey() + "/"), n);
                names.add(n.substring(e.getKey().length() + 1));
            }
            assertEquals(new TreeSet<>(e.getValue()), names);
            JsonNode quality = Json.MAPPER.readTree(entries.get(e.getKey() + "/quality.json"));
            assertTrue(quality.path("watertight").asBoolean(), quality.toString());
            assertTrue(quality.path("triangles").asLong() > 100);
        }
        // Exactly one completion record per job.
        List<ConsumerRecord<String, byte[]>> completed = readAll(Topics.COMPLETED);
        for (String id : expected.keySet()) {
            assertEquals(1, completed.stream().filter(r -> r.key().equals(id)).count(), id);
        }
    }

    @Test
    void garbageGoesToTheDeadLetterTopicAndTheNextJobStillRuns() throws Exception {
        produce("garbage-1", "this is not json".getBytes(StandardCharsets.UTF_8));
        produce("after-garbage", Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:16:5"), null, null, null)));
        assertEquals("SUCCEEDED", awaitFinished("after-garbage").path("state").asText());
        ConsumerRecord<String, byte[]> dead = readAll(Topics.DLQ).stream().filter(r -> "garbage-1".equals(r.key())).findFirst().orElseThrow();
        assertEquals("INVALID_SUBMISSION", new String(dead.headers().lastHeader(Topics.HEADER_ERROR).value(), StandardCharsets.UTF_8));
    }

    @Test
    void aJobThatCannotRunFailsWithItsCodeAndDownloadSaysSo() throws Exception {
        produce("bad-spec-1", Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:1"), null, null, null)));
        JsonNode s = awaitFinished("bad-spec-1");
        assertEquals("FAILED", s.path("state").asText());
        assertEquals("INVALID_PARAMETER", s.path("error").path("code").asText());
        HttpResponse<String> r = get("/jobs/bad-spec-1/download");
        assertEquals(500, r.statusCode());
        assertProblem(r, 500, "JOB_FAILED");
    }

    @Test
    void httpErrorsAreProblemsWithStableCodes() throws Exception {
        assertProblem(get("/jobs/no-such-job"), 404, "JOB_NOT_FOUND");
        assertProblem(get("/jobs/no-such-job/download"), 404, "JOB_NOT_FOUND");
        assertProblem(get("/jobs/bad.id"), 400, "INVALID_JOB_ID");
        assertProblem(get("/nowhere"), 404, "NOT_FOUND");
        assertProblem(post("text/plain", "hello".getBytes(StandardCharsets.UTF_8), ""), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertProblem(post("application/octet-stream", "definitely not a volume".getBytes(StandardCharsets.UTF_8), ""), 422, "INVALID_VOLUME");
        assertProblem(post("application/octet-stream", TestNifti.ball(8, 2), "?iso=banana"), 400, "INVALID_PARAMETER");
        assertProblem(post("application/octet-stream", TestNifti.ball(8, 2), "?formats=stl,fbx"), 400, "INVALID_PARAMETER");
        assertProblem(post("application/json", "{\"input\":".getBytes(StandardCharsets.UTF_8), ""), 400, "INVALID_PARAMETER");
        assertProblem(post("application/json", "{\"input\":{\"synthetic\":\"sphere:99999\"}}".getBytes(StandardCharsets.UTF_8), ""), 400, "INVALID_PARAMETER");
        assertProblem(post("application/octet-stream", new byte[9 << 20], ""), 413, "PAYLOAD_TOO_LARGE");
    }

    /**
     * The web page in Debian's headless Chromium, driven by Playwright (tools/web-test/web.mjs):
     * an API error shown as a problem, a volume uploaded and watched to the end, the quality
     * figures, the preview, and the 3D view, whose screenshot must not be blank; then a synthetic
     * shape submitted with the isovalue left empty, which must keep its name and its own isovalue;
     * then a ZIP of two DICOM series: the series field shows for it (not for a NIfTI), the
     * AMBIGUOUS_SERIES failure is shown as a list of the series, and picking one meshes it.
     * Chromium is $CHROMIUM or Debian's /usr/bin/chromium.
     */
    @Test
    void theWebPageUploadsAVolumeAndShowsItsMeshIn3d() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Prerequisites.require("Chromium (apt-get install chromium)", Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium")));
        Prerequisites.npmPackage(root.resolve("tools/web-test"), "playwright-core");
        Path ch2 = Prerequisites.mri("ch2.nii.gz");
        Path out = Files.createDirectories(Path.of("target/web-test")); // kept, to look at
        Path stdoutFile = out.resolve("web.out");
        Path dicomZip = Files.write(out.resolve("two-series.zip"), dev.meshpipe.mesh.io.dicom.SyntheticDicom.ballSeriesZip(24, 2));
        Path labelMap = Files.write(out.resolve("three-boxes.nii"), TestNifti.threeBoxes());
        Process p = new ProcessBuilder("node", root.resolve("tools/web-test/web.mjs").toString(), pipeline.base(), ch2.toString(), out.toString(),
                dicomZip.toString(), labelMap.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(stdoutFile.toFile()).start();
        // web.mjs waits on conditions; this only stops a browser that hangs for good.
        if (!p.waitFor(20, java.util.concurrent.TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the browser test hung");
        }
        String stdout = Files.readString(stdoutFile).trim();
        assertEquals(0, p.exitValue(), "web.mjs failed: " + stdout);
        JsonNode f = Json.MAPPER.readTree(stdout.substring(stdout.lastIndexOf('\n') + 1));
        assertEquals("", f.path("isoField").asText("?"), "the isovalue field starts empty (the input's default)");
        String torus = f.path("syntheticJob").path("id").asText();
        JsonNode torusStatus = awaitFinished(torus);
        assertEquals("SUCCEEDED", torusStatus.path("state").asText(), torusStatus.toString());
        assertEquals("web-torus", torusStatus.path("name").asText(), torusStatus.toString());
        JsonNode torusQuality = Json.MAPPER.readTree(get("/jobs/" + torus + "/quality.json").body());
        assertEquals(0.0, torusQuality.path("isovalue").asDouble(Double.NaN), torusQuality.toString()); // torus:N's own level
        String problem = f.path("problemText").asText();
        assertTrue(problem.contains("Invalid parameter") && problem.contains("iso") && !problem.contains("{"), problem);
        assertTrue(f.path("row").toString().contains("SUCCEEDED"), f.path("row").toString());
        assertTrue(f.path("statusEvents").asInt() > 0, "the page follows jobs through GET /jobs/{id}/events: " + f);
        assertTrue(f.path("elsewhereListed").isTextual(), "a job submitted through the API shows in the page's list: " + f);
        assertTrue(f.path("quality").asText().contains("Watertightyes"), f.path("quality").asText());
        assertTrue(f.path("previewLoaded").asBoolean());
        assertDicomSeriesChoice(f);
        assertLabelMapStructures(f);
        java.awt.image.BufferedImage shot = javax.imageio.ImageIO.read(out.resolve("viewer.png").toFile());
        int background = shot.getRGB(2, 2);
        Set<Integer> colours = new java.util.HashSet<>();
        long differing = 0;
        for (int y = 0; y < shot.getHeight(); y++) {
            for (int x = 0; x < shot.getWidth(); x++) {
                int c = shot.getRGB(x, y);
                colours.add(c);
                differing += c != background ? 1 : 0;
            }
        }
        // A shaded brain surface: many shades, covering a good part of the view.
        assertTrue(colours.size() > 200, "3D view has only " + colours.size() + " colours");
        assertTrue(differing > shot.getWidth() * shot.getHeight() / 20, "3D view is nearly blank: " + differing + " pixels differ");
    }

    /** The label map the page uploaded (mode auto, labels 1,3): its structures listed with their colours, and one hidden. */
    static void assertLabelMapStructures(JsonNode f) {
        JsonNode s = f.path("structures");
        assertEquals(2, s.size(), f.toString());
        assertEquals("1", s.path(0).path("label").asText());
        assertEquals("3", s.path(1).path("label").asText());
        assertTrue(s.path(0).path("text").asText().contains("liver"), "named by the colour table sent beside the volume: " + s);
        assertTrue(s.path(1).path("text").asText().contains("label-3"), s.toString());
        assertTrue(s.path(0).path("text").asText().contains("840.0 mm"), s.toString()); // 6 x 14 x 10 voxels of 1 mm
        assertEquals("rgb(160, 82, 45)", s.path(0).path("swatch").asText(), s.toString());
        assertTrue(f.path("labelQuality").asText().contains("Structures2 of 3 labels"), f.path("labelQuality").asText());
        assertFalse(f.path("labelPreviewHidden").asBoolean(true), "a label map's preview shows every structure: " + f);
        assertEquals(0.0, f.path("hiddenAlpha").asDouble(-1), f.toString());
    }

    private void assertDicomSeriesChoice(JsonNode f) throws Exception {
        assertFalse(f.path("seriesFieldForVolume").asBoolean(true), "the series field is hidden for a NIfTI file");
        assertTrue(f.path("seriesFieldForZip").asBoolean(), "the series field shows for a ZIP");
        JsonNode ambiguous = awaitFinished(f.path("ambiguousJob").path("id").asText());
        assertEquals("AMBIGUOUS_SERIES", ambiguous.path("error").path("code").asText(), ambiguous.toString());
        assertEquals("[\"1\",\"2\"]", f.path("seriesChoices").toString(), f.toString());
        assertTrue(f.path("seriesChoiceText").asText().contains("meshpipe demo ball 2"), f.path("seriesChoiceText").asText());
        assertEquals("1", f.path("seriesField").asText());
        assertTrue(f.path("pickedUrl").asText().contains("series=1"), f.path("pickedUrl").asText());
        JsonNode picked = awaitFinished(f.path("pickedJob").path("id").asText());
        assertEquals("SUCCEEDED", picked.path("state").asText(), picked.toString());
    }

    /** The CLI client against this gateway: submit --wait --download, status, resumed download, errors. */
    @Test
    void theCliClientSubmitsWaitsDownloadsAndResumes() throws Exception {
        Path out = pipeline.dir().resolve("cli");
        MeshCommandTest.Run r = MeshCommandTest.run("submit", "sphere:32:10", "--server", pipeline.base(), "--formats", "stl,glb",
                "--download", out.toString());
        assertEquals(0, r.exit(), r.err());
        String id = r.out().trim();
        // Named after the job (the spec, as submit names it), made file-safe, as the gateway names it.
        String zipName = "sphere-32-10-" + id + ".zip";
        Path zip = out.resolve(zipName);
        assertTrue(Files.size(zip) > 0);
        assertEquals("attachment; filename=\"" + zipName + "\"", get("/jobs/" + id + "/download").headers().firstValue("Content-Disposition").orElse(""));
        assertTrue(r.err().contains("SUCCEEDED") && r.err().contains("SHA-256 verified"), r.err()); // plain lines: not a terminal

        r = MeshCommandTest.run("status", id, "--server", pipeline.base());
        assertEquals(0, r.exit(), r.err());
        assertEquals("SUCCEEDED", Json.MAPPER.readTree(r.out()).path("state").asText());

        // An interrupted download resumes from what it has; a bad partial file is thrown away.
        byte[] whole = Files.readAllBytes(zip);
        Path again = pipeline.dir().resolve("cli-again");
        Files.createDirectories(again);
        Files.write(again.resolve(zipName + ".part"), java.util.Arrays.copyOf(whole, whole.length / 2));
        r = MeshCommandTest.run("download", id, "--server", pipeline.base(), "--out", again.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("resumed at byte " + whole.length / 2), r.err());
        assertTrue(java.util.Arrays.equals(whole, Files.readAllBytes(again.resolve(zipName))));
        byte[] garbage = new byte[whole.length / 3];
        java.util.Arrays.fill(garbage, (byte) 7);
        Files.write(again.resolve(zipName + ".part"), garbage);
        r = MeshCommandTest.run("download", id, "--server", pipeline.base(), "--out", again.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(java.util.Arrays.equals(whole, Files.readAllBytes(again.resolve(zipName))));

        // Refusals exit 2 with the problem's code; a job that fails exits 1 with its error code.
        r = MeshCommandTest.run("status", "no-such-job", "--server", pipeline.base());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("JOB_NOT_FOUND"), r.err());
        r = MeshCommandTest.run("submit", "sphere:32:10", "--iso", "banana", "--server", pipeline.base());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("iso must be a number"), r.err());
        byte[] nifti = TestNifti.ball(40, 12);
        Path truncated = pipeline.dir().resolve("truncated.nii");
        Files.write(truncated, java.util.Arrays.copyOf(nifti, nifti.length / 2));
        r = MeshCommandTest.run("submit", truncated.toString(), "--server", pipeline.base(), "--wait");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("FAILED: INVALID_VOLUME"), r.err());
        r = MeshCommandTest.run("submit", "sphere:32:10", "--server", "http://localhost:1");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("cannot reach the gateway"), r.err());
    }

    /** The client and curl commands shown in the docs, run as shown against this gateway. */
    @Test
    void theDocsCommandsRunAgainstAGateway() throws Exception {
        Prerequisites.program("curl", "curl");
        Path ch2 = Prerequisites.mri("ch2.nii.gz");
        Path aal = Prerequisites.mri("aal.nii.gz");
        Path out = pipeline.dir().resolve("docs-out");
        String id = null;
        // A finished job for the commands that name one ($ID) before the docs' first submit has run.
        GatewayClient.Answer made = pipeline.client().submitJson(Map.of("input", Map.of("synthetic", "sphere:16:5")));
        String ready = made.body().path("id").asText();
        assertEquals("SUCCEEDED", awaitFinished(ready).path("state").asText());
        int ran = 0;
        for (DocsCommands.Command c : DocsCommands.all()) {
            String named = id != null ? id : ready;
            List<String> args = new ArrayList<>();
            for (String a : c.args()) {
                String v = a.replace("http://localhost:8080", pipeline.base()).replace("@ch2.nii.gz", "@" + ch2)
                        .replace("@aal.nii.gz", "@" + aal).replace("@aal.nii.txt", "@" + aal.resolveSibling("aal.nii.txt"));
                args.add(v.equals("out") ? out.toString() : v.replace("$ID", named));
            }
            if (c.program().equals("curl")) {
                args.add(1, "-sS"); // no progress meter in the test log
                Process p = new ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String body = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.waitFor(), c + ": " + body);
                if (args.stream().anyMatch(a -> a.endsWith("/events"))) {
                    assertTrue(body.contains("event: status") && body.contains("\"SUCCEEDED\""), c + ": " + body); // a finished job's stream: one event, then its end
                } else {
                    JsonNode json = Json.MAPPER.readTree(body);
                    assertTrue(json.has("id") || json.has("jobs"), c + ": " + body);
                }
                ran++;
                continue;
            }
            if (!c.program().equals("./meshpipe") || !Set.of("submit", "status", "download", "cancel", "jobs").contains(args.get(1))) {
                continue;
            }
            if (!args.contains("--server")) {
                args.addAll(List.of("--server", pipeline.base()));
            }
            MeshCommandTest.Run r = MeshCommandTest.run(args.subList(1, args.size()).toArray(String[]::new));
            if (args.get(1).equals("cancel")) { // $ID is the first job, finished by now
                assertTrue(r.exit() == 0 || r.err().contains("JOB_ALREADY_FINISHED"), c + ": " + r.err());
            } else {
                assertEquals(0, r.exit(), c + ": " + r.err());
            }
            if (id == null && args.get(1).equals("submit")) {
                id = r.out().trim();
            }
            ran++;
        }
        assertTrue(ran >= 6, "ran only " + ran + " docs commands");
        String first = id;
        try (var files = Files.list(out)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith("-" + first + ".zip")), "no ZIP of job " + first + " in " + out);
        }
    }

    /**
     * Named bad inputs, each with the answer it must get: a 4xx problem with its code at the HTTP
     * edge, FAILED with a code inside the pipeline, a dead letter, or a refusal by the broker.
     * Prints the table for docs/reliability.md.
     */
    @Test
    void badInputsEachGetTheirDocumentedAnswer() throws Exception {
        java.nio.ByteOrder le = java.nio.ByteOrder.LITTLE_ENDIAN;
        byte[] ball = TestNifti.ball(24, 8);
        java.nio.ByteBuffer nan = TestNifti.header(8, 8, 8, new double[] {1, 1, 1}, 16, 32, le);
        byte[] nanVolume = java.util.Arrays.copyOf(nan.array(), 352 + 4 * 512);
        java.nio.ByteBuffer.wrap(nanVolume).order(le).position(352).asFloatBuffer().put(new float[512]).rewind();
        for (int i = 0; i < 512; i++) {
            java.nio.ByteBuffer.wrap(nanVolume).order(le).putFloat(352 + 4 * i, Float.NaN);
        }
        Map<String, String[]> table = new java.util.LinkedHashMap<>(); // name -> {expected, observed}
        java.util.function.BiConsumer<String, String[]> row = table::put;

        row.accept("truncated NIfTI file", new String[] {"FAILED INVALID_VOLUME", job(post("application/octet-stream", java.util.Arrays.copyOf(ball, ball.length / 2), ""))});
        row.accept("dims that overflow (32767^3 int16)", new String[] {"422 VOLUME_TOO_LARGE", http(post("application/octet-stream",
                TestNifti.header(32767, 32767, 32767, new double[] {1, 1, 1}, 4, 16, le).array(), ""))});
        row.accept("zero voxel spacing", new String[] {"422 INVALID_VOLUME", http(post("application/octet-stream",
                TestNifti.header(8, 8, 8, new double[] {0, 1, 1}, 4, 16, le).array(), ""))});
        row.accept("negative voxel spacing, no sform", new String[] {"422 INVALID_VOLUME", http(post("application/octet-stream",
                TestNifti.withoutSform(TestNifti.header(8, 8, 8, new double[] {1, -1, 1}, 4, 16, le).array()), ""))});
        row.accept("NaN-only volume", new String[] {"FAILED INVALID_VOLUME", job(post("application/octet-stream", nanVolume, "?iso=0"))});
        row.accept("isovalue above the data's range", new String[] {"FAILED INVALID_PARAMETER", job(post("application/octet-stream", ball, "?iso=1e6"))});
        row.accept("isovalue below the data's range", new String[] {"FAILED INVALID_PARAMETER", job(post("application/octet-stream", ball, "?iso=-5"))});
        row.accept("gzip bomb (64 MB in 64 KB; reader limited to 16 MB inflated)", new String[] {"VOLUME_TOO_LARGE", readerCode(gzipBomb())});
        row.accept("huge declared upload (Content-Length 1 TB)", new String[] {"413 PAYLOAD_TOO_LARGE", hugeDeclaredUpload()});
        row.accept("garbage JSON", new String[] {"400 INVALID_PARAMETER", http(post("application/json", "{\"input\": [1, 2,".getBytes(StandardCharsets.UTF_8), ""))});
        row.accept("wrong content type", new String[] {"415 UNSUPPORTED_MEDIA_TYPE", http(post("text/csv", ball, ""))});
        row.accept("path escaping the job (..%2F..%2Fetc%2Fpasswd)", new String[] {"400 INVALID_REQUEST", http(get("/jobs/..%2F..%2Fetc%2Fpasswd/download"))});
        row.accept("job id with path characters (..%2Fetc)", new String[] {"400 INVALID_JOB_ID", http(get("/jobs/..%2Fetc/download"))});
        produce("../../etc/passwd", Json.bytes(new JobSubmission(new InputRef.Synthetic("sphere:8"), null, null, null)));
        row.accept("job id with path characters (Kafka key)", new String[] {"DLQ INVALID_JOB_ID", dlqCode("../../etc/passwd")});
        produce("big-inline-1", Json.bytes(new JobSubmission(new InputRef.Inline(new byte[9 << 20], "big.nii"), null, null, null)));
        row.accept("oversized Kafka record (9 MiB inline volume)", new String[] {"FAILED PAYLOAD_TOO_LARGE", state(awaitFinished("big-inline-1"))});
        String refused;
        try {
            produce("too-big-1", new byte[17 << 20]);
            refused = "accepted";
        } catch (java.util.concurrent.ExecutionException e) {
            refused = "refused " + e.getCause().getClass().getSimpleName();
        }
        row.accept("Kafka record over the topic's 16 MiB limit", new String[] {"refused RecordTooLargeException", refused});

        StringBuilder report = new StringBuilder("RELIABILITY bad-input table:\n");
        table.forEach((name, r) -> report.append(String.format("  %-46s expected %-28s got %s%n", name, r[0], r[1])));
        System.out.print(report);
        table.forEach((name, r) -> assertEquals(r[0], r[1], name));
    }

    private static String http(HttpResponse<String> r) throws Exception {
        return r.statusCode() + " " + Json.MAPPER.readTree(r.body()).path("code").asText();
    }

    /** The final state of the job an upload made (or the refusal, if the upload was refused). */
    private String job(HttpResponse<String> r) throws Exception {
        if (r.statusCode() != 202) {
            return http(r);
        }
        return state(awaitFinished(Json.MAPPER.readTree(r.body()).path("id").asText()));
    }

    private static String state(JsonNode s) {
        return s.path("state").asText() + (s.has("error") ? " " + s.path("error").path("code").asText() : "");
    }

    private String dlqCode(String key) throws Exception {
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            for (ConsumerRecord<String, byte[]> r : readAll(Topics.DLQ)) {
                if (key.equals(r.key())) {
                    return "DLQ " + new String(r.headers().lastHeader(Topics.HEADER_ERROR).value(), StandardCharsets.UTF_8);
                }
            }
            Thread.sleep(200);
        }
        return "no dead letter";
    }

    /** A small gzip that inflates to a 400^3 uint8 volume of zeros (64 MB): a bomb for a 16 MB limit. */
    private static byte[] gzipBomb() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write(TestNifti.header(400, 400, 400, new double[] {1, 1, 1}, 2, 8, java.nio.ByteOrder.LITTLE_ENDIAN).array());
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                gz.write(zeros);
            }
        }
        return bytes.toByteArray();
    }

    /** What the volume reader (as the processor runs it) says to these bytes, with a 16 MB inflation limit. */
    private static String readerCode(byte[] data) {
        try {
            dev.meshpipe.mesh.io.VolumeReader.read(new java.io.ByteArrayInputStream(data),
                    new dev.meshpipe.mesh.VolumeLimits(dev.meshpipe.mesh.VolumeLimits.DEFAULT_MAX_VOXELS, 16L << 20));
            return "read";
        } catch (dev.meshpipe.mesh.MeshException e) {
            return e.code().name();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Announces a 1 TB body on a raw socket and reads the answer before sending any of it. */
    private String hugeDeclaredUpload() throws Exception {
        java.net.URI u = URI.create(pipeline.base());
        try (java.net.Socket socket = new java.net.Socket(u.getHost(), u.getPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("POST /jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: 1000000000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(new byte[1 << 16]);
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            StringBuilder rest = new StringBuilder();
            for (String l; (l = in.readLine()) != null; ) {
                rest.append(l).append('\n');
                if (l.contains("\"code\"")) {
                    break;
                }
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"code\"\\s*:\\s*\"(\\w+)\"").matcher(rest);
            return status.split(" ")[1] + " " + (m.find() ? m.group(1) : "?");
        }
    }

    @Test
    void rangeAndConditionalDownloads() throws Exception {
        GatewayClient.Answer a = pipeline.client().submitJson(Map.of("input", Map.of("synthetic", "sphere:20:6")));
        String id = a.body().path("id").asText();
        JsonNode s = awaitFinished(id);
        String sha = s.path("result").path("sha256").asText();
        long size = s.path("result").path("size").asLong();
        HttpResponse<byte[]> full = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs/" + id + "/download")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, full.statusCode());
        assertEquals(size, full.body().length);
        assertEquals("\"" + sha + "\"", full.headers().firstValue("ETag").orElseThrow());
        assertEquals(sha, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(full.body())));
        HttpResponse<byte[]> part = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs/" + id + "/download")).header("Range", "bytes=10-19").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, part.statusCode());
        assertEquals("bytes 10-19/" + size, part.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOfRange(full.body(), 10, 20)), java.util.Arrays.toString(part.body()));
        HttpResponse<String> none = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs/" + id + "/download")).header("If-None-Match", "\"" + sha + "\"").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(304, none.statusCode());
        HttpResponse<String> bad = pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs/" + id + "/download")).header("Range", "bytes=" + size + "-").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(416, bad.statusCode());
    }

    JsonNode awaitFinished(String id) throws Exception {
        // Generous: a loaded two-core machine can be many times slower than an idle one.
        return pipeline.client().awaitFinished(id, Duration.ofMinutes(5));
    }

    void produce(String key, byte[] value) throws Exception {
        pipeline.cluster().produce(Topics.SUBMITTED, key, value);
    }

    List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return TopicReader.readAll(pipeline.cluster().bootstrap(), topic);
    }

    HttpResponse<String> get(String path) throws Exception {
        return pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String type, byte[] body, String query) throws Exception {
        return pipeline.http().send(HttpRequest.newBuilder(URI.create(pipeline.base() + "/jobs" + query)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, byte[]> unzip(Path zip) throws Exception {
        Map<String, byte[]> out = new HashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(zip)))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                out.put(e.getName(), z.readAllBytes());
            }
        }
        return out;
    }
}
