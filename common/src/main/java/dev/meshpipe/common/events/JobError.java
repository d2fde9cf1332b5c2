package dev.meshpipe.common.events;

import dev.meshpipe.common.ErrorCode;

public record JobError(ErrorCode code, String message) {}
