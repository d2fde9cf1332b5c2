package dev.meshpipe.common.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Counts and SHA-256-hashes what passes through, so a file's checksum costs no second read. */
public class DigestingOutputStream extends FilterOutputStream {
    private final MessageDigest sha;
    private long size;

    public DigestingOutputStream(OutputStream out) {
        super(out);
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        sha.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        sha.update(b, off, len);
        size += len;
    }

    public long size() {
        return size;
    }

    /** The hex digest; call once, after the last write. */
    public String sha256() {
        return HexFormat.of().formatHex(sha.digest());
    }
}
