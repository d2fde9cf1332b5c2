package dev.meshpipe.common.events;

/** One file a stage wrote to the object store. */
public record OutputFile(String name, String object, long size, String sha256) {}
