package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Where a job's volume comes from. Serialized without a type tag: exactly one of the fields
 * {@code synthetic}, {@code object} or {@code inline} is present and names the variant.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.DEDUCTION)
@JsonSubTypes({
        @JsonSubTypes.Type(InputRef.Synthetic.class),
        @JsonSubTypes.Type(InputRef.StoredObject.class),
        @JsonSubTypes.Type(InputRef.Inline.class)})
public sealed interface InputRef {

    /** A generated signed-distance volume, e.g. {@code sphere:128:50}. */
    record Synthetic(String synthetic) implements InputRef {}

    /** A volume already in the object store (claim check). {@code filename} hints the format. */
    record StoredObject(String object, String filename) implements InputRef {}

    /** A small volume carried in the record itself (base64 in JSON); ingest moves it to the store. */
    record Inline(byte[] inline, String filename) implements InputRef {}
}
