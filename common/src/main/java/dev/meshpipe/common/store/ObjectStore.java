package dev.meshpipe.common.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * Blob storage for inputs, intermediate outputs and result ZIPs. Keys are slash-separated and
 * built only by {@link ObjectKeys} from validated job ids.
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Opens a stream whose bytes become object {@code key} only when the stream is closed
     * successfully; until then readers see the previous object or none. {@link Upload#abort()}
     * discards what was written.
     */
    Upload create(String key) throws IOException;

    /** Streams the object, or the bytes {@code [offset, offset+length)} of it; throws {@link ObjectNotFoundException}. */
    InputStream open(String key, long offset, long length) throws IOException;

    default InputStream open(String key) throws IOException {
        return open(key, 0, -1);
    }

    Optional<ObjectInfo> head(String key) throws IOException;

    void delete(String key) throws IOException;

    /** Keys under {@code prefix}, sorted. */
    List<ObjectInfo> list(String prefix) throws IOException;

    @Override
    default void close() {}

    /** Bytes still free where new objects go, for a store on a local filesystem; empty where that is unknowable (S3). */
    default java.util.OptionalLong usableSpace() throws IOException {
        return java.util.OptionalLong.empty();
    }

    /**
     * Deletes what unfinished writes left behind (a crash mid-upload) that was last written before
     * {@code cutoff}; a write still going on keeps touching its file, so it is never removed.
     * Returns how many were deleted. Stores that keep no such leftovers (S3 publishes nothing of
     * an unfinished upload; its parts are the bucket's lifecycle rule's to abort) do nothing.
     */
    default int deleteAbandonedWrites(java.time.Instant cutoff) throws IOException {
        return 0;
    }

    default void put(String key, byte[] bytes) throws IOException {
        try (Upload u = create(key)) {
            u.write(bytes);
        }
    }

    /** An object being written. */
    abstract class Upload extends OutputStream {
        /** Discards the upload; a later {@link #close()} publishes nothing. */
        public abstract void abort();
    }
}
