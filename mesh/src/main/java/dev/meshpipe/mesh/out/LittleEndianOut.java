package dev.meshpipe.mesh.out;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A buffered little-endian writer: mesh formats write millions of small numbers. */
final class LittleEndianOut implements AutoCloseable {
    private final OutputStream out;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    LittleEndianOut(OutputStream out) {
        this.out = out;
    }

    private void ensure(int n) throws IOException {
        if (buf.remaining() < n) {
            flush();
        }
    }

    void putFloat(float v) throws IOException {
        ensure(4);
        buf.putFloat(v);
    }

    void putInt(int v) throws IOException {
        ensure(4);
        buf.putInt(v);
    }

    void putShort(short v) throws IOException {
        ensure(2);
        buf.putShort(v);
    }

    void put(byte v) throws IOException {
        ensure(1);
        buf.put(v);
    }

    void put(byte[] bytes) throws IOException {
        flush();
        out.write(bytes);
    }

    void flush() throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    /** Flushes what is buffered; the caller owns and closes the stream. */
    @Override
    public void close() throws IOException {
        flush();
        out.flush();
    }
}
