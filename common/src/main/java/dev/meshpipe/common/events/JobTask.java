package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A validated job for the processor, on {@code meshpipe.jobs.tasks}. Its input is never inline:
 * large inputs travel as an object-store key (claim check).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobTask(String jobId, InputRef input, JobParams params, String tenant, Instant submittedAt) {}
