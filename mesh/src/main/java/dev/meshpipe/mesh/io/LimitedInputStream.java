package dev.meshpipe.mesh.io;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Fails with VOLUME_TOO_LARGE once more than {@code limit} bytes have been read. */
final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private final String what;
    private long count;

    LimitedInputStream(InputStream in, long limit, String what) {
        super(in);
        this.limit = limit;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            add(n);
        }
        return n;
    }

    private void add(long n) {
        count += n;
        if (count > limit) {
            throw new MeshException(MeshError.VOLUME_TOO_LARGE, what + " exceeds the limit of " + limit + " bytes");
        }
    }
}
