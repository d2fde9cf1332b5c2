package dev.meshpipe.common.store;

import java.time.Instant;

public record ObjectInfo(String key, long size, Instant lastModified) {}
