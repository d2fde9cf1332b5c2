package dev.meshpipe.common.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JsonSerde;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.Borders;
import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.Iso;
import dev.meshpipe.mesh.MeshFormat;
import dev.meshpipe.mesh.MeshOptions;
import dev.meshpipe.mesh.finish.Finishing;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A job's parameters as they travel (JSON, unchanged) and as the mesh library takes them (typed, parsed once). */
class JobParamsMeshOptionsTest {

    /**
     * A submission and a task as the pipeline wrote them before the mesh library had options of
     * its own (encoded by commit 584bcaa's Json, every parameter set; "autoIso" is the bean
     * property Jackson has always written for isAutoIso()): events still in topics must decode,
     * and encode back the same.
     */
    static final String RECORDED_SUBMISSION = "{\"input\":{\"synthetic\":\"sphere:64:20\"},\"params\":{\"iso\":\"auto\","
            + "\"borders\":\"open\",\"formats\":[\"stl\",\"3mf\"],\"name\":\"ball\",\"space\":\"lps\",\"series\":\"1.2.3\","
            + "\"preset\":\"print\",\"smoothing\":\"30:0.1\",\"decimate\":\"0.25\",\"maxError\":0.2,\"keepLargest\":false,"
            + "\"fillCavities\":true,\"minComponentVolume\":10.0,\"autoIso\":true},\"tenant\":\"acme\",\"submittedAt\":\"2026-12-01T10:00:00Z\"}";
    static final String RECORDED_TASK = "{\"jobId\":\"job-1\",\"input\":{\"object\":\"inputs/job-1/input\",\"filename\":\"ct.nii.gz\"},"
            + "\"params\":{\"iso\":\"12.5\",\"formats\":[\"glb\"],\"autoIso\":false},\"submittedAt\":\"2026-12-01T10:00:00Z\"}";

    @Test
    void recordedEventsDecodeAndEncodeBackTheSame() {
        JsonSerde<JobSubmission> submissions = JsonSerde.of(JobSubmission.class);
        JobSubmission s = submissions.decode(RECORDED_SUBMISSION.getBytes(StandardCharsets.UTF_8));
        assertEquals(new JobParams("auto", Borders.OPEN, List.of(MeshFormat.STL, MeshFormat.THREE_MF), "ball", "lps", "1.2.3",
                "print", "30:0.1", "0.25", 0.2, false, true, 10.0), s.params());
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), s.submittedAt());
        assertEquals(RECORDED_SUBMISSION, dev.meshpipe.common.Json.string(s));

        JsonSerde<JobTask> tasks = JsonSerde.of(JobTask.class);
        JobTask t = tasks.decode(RECORDED_TASK.getBytes(StandardCharsets.UTF_8));
        assertEquals(new JobParams("12.5", null, List.of(MeshFormat.GLB), null), t.params());
        assertEquals(RECORDED_TASK, dev.meshpipe.common.Json.string(t));
    }

    @Test
    void aRecordedSubmissionBecomesTypedOptions() {
        JobParams p = JsonSerde.of(JobSubmission.class).decode(RECORDED_SUBMISSION.getBytes(StandardCharsets.UTF_8)).params();
        MeshOptions o = p.toMeshOptions();
        assertEquals(Iso.AUTO, o.iso());
        assertEquals(Borders.OPEN, o.borders());
        assertEquals(List.of(MeshFormat.STL, MeshFormat.THREE_MF), o.formats());
        assertEquals(CoordinateSpace.LPS, o.space());
        assertEquals("ball", o.name());
        assertEquals(new Finishing.Options("print", 30, 0.1, null, true, false, 10.0, true, 0.25, 0, 0.2), o.finishing());
        assertEquals(0, o.threads());
    }

    @Test
    void theIsovalueIsParsedOnceIntoItsType() {
        assertEquals(Iso.DEFAULT, JobParams.defaults().toMeshOptions().iso());
        assertEquals(Iso.AUTO, new JobParams("AUTO", null, null, null).toMeshOptions().iso());
        assertEquals(Iso.of(12.5), new JobParams(" 12.5 ", null, null, null).toMeshOptions().iso());
        for (String bad : new String[] {"twelve", "NaN", "Infinity"}) {
            MeshpipeException e = assertThrows(MeshpipeException.class, () -> new JobParams(bad, null, null, null).toMeshOptions());
            assertEquals(ErrorCode.INVALID_PARAMETER, e.code(), bad);
        }
    }

    @Test
    void defaultsAreTheLibrarysDefaults() {
        assertEquals(MeshOptions.defaults(), JobParams.defaults().toMeshOptions());
        MeshOptions o = new JobParams(null, null, List.of(MeshFormat.GLB, MeshFormat.STL, MeshFormat.GLB), null).toMeshOptions();
        assertEquals(List.of(MeshFormat.STL, MeshFormat.GLB), o.formats());
        assertEquals(ErrorCode.INVALID_PARAMETER, assertThrows(MeshpipeException.class,
                () -> JobParams.defaults().withSpaceAndSeries("grid", null).toMeshOptions()).code());
    }

    @Test
    void presetsAndExplicitOverrides() {
        assertTrue(JobParams.defaults().toMeshOptions().finishing().isRaw());
        Finishing.Options print = JobParams.defaults().withFinishing("print", null, null, null, null, null, null).toMeshOptions().finishing();
        assertEquals(20, print.smoothingIterations());
        assertEquals(0.01, print.passBand(), 1e-12);
        assertTrue(print.keepLargest() && print.fillCavities() && print.volumePreservation());
        assertEquals(0.1, print.maxErrorMm());
        Finishing.Options custom = JobParams.defaults()
                .withFinishing("print", "30:0.1", "0.25", 0.2, false, null, 10.0).validated().toMeshOptions().finishing();
        assertEquals(30, custom.smoothingIterations());
        assertEquals(0.1, custom.passBand());
        assertEquals(0.25, custom.decimateFraction());
        assertEquals(0.2, custom.maxErrorMm());
        assertFalse(custom.keepLargest());
        assertTrue(custom.fillCavities());
        assertEquals(10.0, custom.minComponentVolumeMm3());
        Finishing.Options web = JobParams.defaults().withFinishing("web", "off", "200000", null, null, null, null).toMeshOptions().finishing();
        assertFalse(web.smoothing());
        assertEquals(200000, web.decimateTriangles());
        // decimate=off turns print's decimation off, its 0.1 mm bound included.
        Finishing.Options printNoDecimation = JobParams.defaults().withFinishing("print", null, "off", null, null, null, null).toMeshOptions().finishing();
        assertFalse(printNoDecimation.decimation());
        assertTrue(printNoDecimation.smoothing() && printNoDecimation.keepLargest());
        assertThrows(MeshpipeException.class, () -> JobParams.defaults().withFinishing("glossy", null, null, null, null, null, null).validated());
        assertThrows(MeshpipeException.class, () -> JobParams.parseSmoothing("1.5"));
        assertThrows(MeshpipeException.class, () -> JobParams.parseSmoothing("20:3"));
        assertThrows(MeshpipeException.class, () -> JobParams.parseDecimate("2.5"));
        assertThrows(MeshpipeException.class, () -> JobParams.defaults().withFinishing(null, null, null, -1.0, null, null, null).validated());
    }
}
