package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshErrors;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.io.VolumeReader;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import java.util.zip.ZipException;

/** An upload's body streamed into the object store, its header checked before anything is stored. */
final class Uploads {
    /** Bytes of an upload read before its header is checked; covers a gzip stream's first 348 bytes. */
    static final int HEAD_BYTES = 64 * 1024;
    /** How often, in bytes written, an upload checks the free space again. */
    static final long FREE_SPACE_CHECK_BYTES = 1L << 20;

    private final RouteContext c;

    Uploads(RouteContext c) {
        this.c = c;
    }

    /**
     * Streams the body into the store ({@code id} null: reads it only, for its digest). The header
     * is checked from the first bytes, before the rest is read, so a bad volume is refused before
     * anything is stored. A body that stops arriving for the idle timeout is 408.
     */
    void upload(Context ctx, String id, MessageDigest digest) throws IOException {
        upload(ctx.bodyInputStream(), ctx.req().getContentLengthLong(), id, digest);
    }

    /** As {@link #upload(Context, String, MessageDigest)}, from a body of {@code declared} bytes (-1: unknown): a request's, or a form's part. */
    void upload(InputStream in, long declared, String id, MessageDigest digest) throws IOException {
        try {
            stream(in, declared, id, digest);
        } catch (IOException e) {
            if (isIdleTimeout(e)) {
                throw new MeshpipeException(ErrorCode.UPLOAD_TIMEOUT, "the upload stalled: no bytes arrived for "
                        + c.edge().idleTimeout().toSeconds() + " s; nothing was stored, send it again");
            }
            throw e;
        }
    }

    private void stream(InputStream in, long declared, String id, MessageDigest digest) throws IOException {
        long max = c.maxUploadBytes();
        if (declared > max) {
            throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "upload of " + declared + " bytes exceeds the limit of " + max);
        }
        if (id != null) {
            requireFreeSpace(Math.max(declared, 0));
        }
        InputStream body = new DigestInputStream(in, digest);
        byte[] head = body.readNBytes(HEAD_BYTES);
        checkHeader(head);
        ObjectStore.Upload up;
        try {
            up = id == null ? DISCARD : c.store().create(ObjectKeys.input(id));
        } catch (IOException e) {
            throw RouteContext.storageDown();
        }
        try {
            up.write(head);
            long total = head.length;
            long nextCheck = total + FREE_SPACE_CHECK_BYTES;
            byte[] buf = new byte[1 << 16];
            for (int n; (n = body.read(buf)) > 0; ) {
                total += n;
                if (total > max) {
                    throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "upload exceeds the limit of " + max + " bytes");
                }
                if (id != null && total >= nextCheck) {
                    requireFreeSpace(0); // other uploads and results fill the same disk meanwhile
                    nextCheck = total + FREE_SPACE_CHECK_BYTES;
                }
                up.write(buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            up.abort();
            up.close();
            throw e;
        }
        up.close();
    }

    private void checkHeader(byte[] head) throws IOException {
        if (head.length == 0) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "the request body is empty");
        }
        try {
            MeshErrors.call(() -> VolumeReader.describeHeader(new ByteArrayInputStream(head), c.volumeLimits()));
        } catch (EOFException e) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "the volume ends inside its header");
        } catch (ZipException e) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "corrupt gzip data");
        }
    }

    /** Where a repeated upload's bytes go: they are only read for their digest. */
    private static final ObjectStore.Upload DISCARD = new ObjectStore.Upload() {
        @Override
        public void write(int b) { }

        @Override
        public void write(byte[] b, int off, int len) { }

        @Override
        public void abort() { }

        @Override
        public void close() { }
    };

    /** 507 when writing {@code more} bytes would leave the store's disk below the configured floor. */
    private void requireFreeSpace(long more) {
        OptionalLong free;
        try {
            free = c.store().usableSpace();
        } catch (IOException e) {
            throw RouteContext.storageDown();
        }
        long floor = c.edge().minFreeBytes();
        if (free.isPresent() && free.getAsLong() - more < floor) {
            throw new MeshpipeException(ErrorCode.INSUFFICIENT_STORAGE, "the object store has " + free.getAsLong()
                    + " bytes free and keeps at least " + floor + " free; this upload does not fit now");
        }
    }

    /** Whether reading the body failed because the client sent nothing for the idle timeout (Jetty's TimeoutException). */
    static boolean isIdleTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
