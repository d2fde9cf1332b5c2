package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.mesh.io.TestNifti;
import dev.meshpipe.testsupport.PipelineExtension;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The label-mode presets that decimate, {@code print} and {@code web}, through every entry point:
 * an HTTP upload, a Kafka submission, {@code meshpipe submit} and {@code meshpipe mesh}. Each job's
 * quality.json must show every structure decimated, watertight and manifold, with its voxel count
 * known from the map and its volume within 1% of its voxel volume (docs/labels.md: the decimation
 * restores each structure's volume, with no allowance for area).
 *
 * <p>The map is a ball inside a shell cut in two: the ball's whole surface is shared, and the
 * three structures meet along a junction curve. {@code web}'s own budget (200,000 triangles)
 * leaves a map this small as it is, so the web jobs set a budget of {@value #WEB_BUDGET}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabelPresetEntryPointsTest {
    @RegisterExtension
    static final PipelineExtension<GatewayClient> pipeline = InJvmPipeline.extension("lpe");

    static final int N = 28;
    static final String WEB_BUDGET = "3000";

    /** The label at a voxel: 1 the ball (radius 6), 2 and 3 the shell around it (radius 12) split at x = 18. */
    static int label(int x, int y, int z) {
        double c = (N - 1) / 2.0;
        double r = Math.sqrt((x - c) * (x - c) + (y - c) * (y - c) + (z - c) * (z - c));
        return r < 6 ? 1 : r >= 12 ? 0 : x < 18 ? 2 : 3;
    }

    static byte[] ballInShell() {
        short[] v = new short[N * N * N];
        for (int z = 0; z < N; z++) {
            for (int y = 0; y < N; y++) {
                for (int x = 0; x < N; x++) {
                    v[x + N * (y + N * z)] = (short) label(x, y, z);
                }
            }
        }
        return TestNifti.int16(N, N, N, new double[] {1, 1, 1}, v, ByteOrder.LITTLE_ENDIAN);
    }

    /** Voxels per label, the known answer quality.json must report (1 mm voxels: also the voxel volume in mm^3). */
    static Map<Integer, Long> voxelCounts() {
        Map<Integer, Long> counts = new LinkedHashMap<>();
        for (int z = 0; z < N; z++) {
            for (int y = 0; y < N; y++) {
                for (int x = 0; x < N; x++) {
                    if (label(x, y, z) > 0) {
                        counts.merge(label(x, y, z), 1L, Long::sum);
                    }
                }
            }
        }
        return counts;
    }

    Path map() throws Exception {
        Path nii = pipeline.dir().resolve("ball-in-shell.nii.gz");
        if (!Files.exists(nii)) {
            Files.write(nii, TestNifti.gzip(ballInShell()));
        }
        return nii;
    }

    /** The preset's options as the CLI takes them: web with the small budget. */
    static List<String> cliOptions(String preset) {
        List<String> o = new ArrayList<>(List.of("--mode", "labels", "--preset", preset, "--formats", "stl"));
        if (preset.equals("web")) {
            o.addAll(List.of("--decimate", WEB_BUDGET));
        }
        return o;
    }

    @Test
    void printAndWebThroughUploadKafkaAndSubmit() throws Exception {
        Path nii = map();
        Map<String, String> ids = new LinkedHashMap<>();
        for (String preset : List.of("print", "web")) {
            String budget = preset.equals("web") ? WEB_BUDGET : null;
            Map<String, String> query = new LinkedHashMap<>(Map.of("mode", "labels", "preset", preset, "formats", "stl"));
            if (budget != null) {
                query.put("decimate", budget);
            }
            GatewayClient.Answer upload = pipeline.client().upload(nii, query);
            assertEquals(202, upload.status(), upload.body().toString());
            ids.put(upload.body().path("id").asText(), preset);

            String kafkaId = "lpe-kafka-" + preset;
            JobParams params = new JobParams(null, null, null, "kafka " + preset)
                    .withFinishing(preset, null, budget, null, null, null, null).withLabels("labels", null, null, null);
            pipeline.cluster().produce(Topics.SUBMITTED, kafkaId,
                    Json.bytes(new JobSubmission(new InputRef.Inline(Files.readAllBytes(nii), "ball-in-shell.nii.gz"), params, null, Instant.now())));
            ids.put(kafkaId, preset);

            List<String> args = new ArrayList<>(List.of("submit", nii.toString(), "--server", pipeline.base()));
            args.addAll(cliOptions(preset));
            MeshCommandTest.Run cli = MeshCommandTest.run(args.toArray(String[]::new));
            assertEquals(0, cli.exit(), cli.err());
            ids.put(cli.out().trim().lines().findFirst().orElseThrow(), preset);
        }
        for (Map.Entry<String, String> job : ids.entrySet()) {
            String id = job.getKey();
            JsonNode s = pipeline.client().awaitFinished(id, Duration.ofSeconds(120));
            assertEquals("SUCCEEDED", s.path("state").asText(), s.toString());
            Path zip = pipeline.dir().resolve(id + ".zip");
            assertEquals(200, pipeline.client().download(id, zip).status());
            Map<String, byte[]> entries = PrintOutputsTest.unzip(zip);
            for (String f : List.of("labels/1-label-1.stl", "labels/2-label-2.stl", "labels/3-label-3.stl", "quality.json")) {
                assertTrue(entries.containsKey(f) && entries.get(f).length > 0, id + ": " + f + " in " + entries.keySet());
            }
            JsonNode q = Json.MAPPER.readTree(entries.get("quality.json"));
            long triangles = assertDecimatedWithinBound(q, job.getValue(), id);
            assertEquals(triangles, s.path("triangles").asLong(), "the job's summary covers every structure: " + s);
        }
    }

    @Test
    void printAndWebThroughMeshCommand() throws Exception {
        Path nii = map();
        for (String preset : List.of("print", "web")) {
            Path out = pipeline.dir().resolve("mesh-" + preset);
            List<String> args = new ArrayList<>(List.of("mesh", nii.toString(), "--out", out.toString()));
            args.addAll(cliOptions(preset));
            MeshCommandTest.Run r = MeshCommandTest.run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), r.err());
            assertTrue(Files.size(out.resolve("labels/1-label-1.stl")) > 0);
            assertDecimatedWithinBound(Json.MAPPER.readTree(out.resolve("quality.json").toFile()), preset, "mesh " + preset);
        }
    }

    /**
     * Every structure of the map, decimated (print: to under half; web: the budget over all of
     * them, pinned junctions allowed 15% over it), watertight, manifold, its voxels the map's and its
     * volume within 1% of them; returns the triangles of all structures.
     */
    static long assertDecimatedWithinBound(JsonNode q, String preset, String job) {
        assertEquals("labels", q.path("mode").asText(), job);
        Map<Integer, Long> voxels = voxelCounts();
        JsonNode structures = q.path("structures");
        assertEquals(voxels.size(), structures.size(), job + ": " + q);
        JsonNode report = q.path("finishing");
        assertEquals(0, report.path("undecimated").asInt(-1), job + ": " + report);
        assertTrue(report.path("sharedPatches").asInt() >= 3, job + ": ball-shell 2, ball-shell 3, shell 2-shell 3: " + report);
        assertTrue(report.path("volumeCorrection").path("worstChange").asDouble(1) <= 1e-5, job + ": the correction restores each volume: " + report);
        long triangles = 0;
        for (JsonNode s : structures) {
            String where = job + " (" + preset + "), label " + s.path("label").asInt() + ": " + s;
            JsonNode f = s.path("finishing");
            long before = f.path("trianglesBefore").asLong();
            long after = f.path("trianglesAfter").asLong();
            assertEquals(s.path("triangles").asLong(), after, where);
            assertTrue(preset.equals("print") ? after < before / 2 : after < before, where);
            assertTrue(s.path("watertight").asBoolean() && s.path("manifold").asBoolean(), where);
            assertEquals(0, s.path("pinchedEdges").asLong(-1), where);
            long expectedVoxels = voxels.get(s.path("label").asInt());
            assertEquals(expectedVoxels, s.path("voxels").asLong(), where);
            assertEquals(expectedVoxels, s.path("voxelVolume").asDouble(), 1e-9, where);
            assertEquals(0, f.path("componentsRemoved").asInt(-1), where);
            assertTrue(Math.abs(s.path("surfaceVolume").asDouble() - expectedVoxels) <= 0.01 * expectedVoxels, where);
            assertTrue(Math.abs(s.path("volumeDifferencePercent").asDouble()) <= 1, where);
            triangles += after;
        }
        assertTrue(q.path("totals").path("allWatertight").asBoolean(), job + ": " + q.path("totals"));
        assertTrue(q.path("totals").path("worstVolumeDifferencePercent").asDouble() <= 1, job + ": " + q.path("totals"));
        assertEquals(triangles, q.path("totals").path("triangles").asLong(), job);
        if (preset.equals("web")) {
            assertTrue(triangles <= Long.parseLong(WEB_BUDGET) * 1.15, job + ": " + triangles + " triangles for a budget of " + WEB_BUDGET);
        }
        return triangles;
    }
}
