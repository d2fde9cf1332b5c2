package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A request for a job, on {@code meshpipe.jobs.submitted}. The record key is the job id.
 * Producers may leave {@code submittedAt} and {@code tenant} out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobSubmission(InputRef input, JobParams params, String tenant, Instant submittedAt) {}
