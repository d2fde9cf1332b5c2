package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The processor's outputs for a job, on {@code meshpipe.jobs.meshed}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobMeshed(
        String jobId,
        String tenant,
        JobParams params,
        List<OutputFile> files,
        String device,
        long vertices,
        long triangles,
        boolean watertight,
        Map<String, Long> timingsMs,
        Instant submittedAt,
        Instant meshedAt) {}
