package dev.meshpipe.common.events;

import java.time.Instant;

/** The downloadable ZIP of a finished job. */
public record JobResult(String object, long size, String sha256, Instant expiresAt) {}
