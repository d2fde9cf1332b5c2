package dev.meshpipe.mesh.out;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A ZIP written straight to a stream, every entry deflated, whose deflating runs on several
 * threads. A 3MF's model part is nearly all of the package's work, and one zlib stream runs on
 * one core; so each entry's input is cut into {@value #PIECE}-byte pieces compressed on their own,
 * as pigz does: each piece with the previous piece's last 32 KiB as its dictionary (a raw deflate
 * stream may refer back into bytes it did not itself produce), ended by a sync flush (the last
 * piece by the final block), and the pieces concatenated in order. Where the cuts fall depends on
 * the bytes only, so the package is the same byte for byte whatever the thread count.
 * <p>
 * Entries carry a data descriptor (CRC and sizes after the data), as ZipOutputStream writes a
 * streamed entry, with ZIP64 sizes, offsets and end records once anything passes 4 GiB. Entry
 * times are one fixed DOS date, so equal content gives equal bytes. Does not close the stream.
 */
final class PiecewiseZip implements Closeable {
    /** Input bytes per independently compressed piece: large enough that the flush costs nothing. */
    static final int PIECE = 1 << 19;
    private static final int WINDOW = 1 << 15;
    /** 2020-01-01 00:00 as a DOS date (years since 1980, month, day) and time. */
    private static final int DOS_DATE = (2020 - 1980) << 9 | 1 << 5 | 1;
    private static final int DOS_TIME = 0;
    /** Bit 3: sizes and CRC follow the data; bit 11: names are UTF-8. */
    private static final int FLAGS = 0x0008 | 0x0800;
    private static final long MAX32 = 0xFFFFFFFFL;

    private record Central(byte[] name, long crc, long compressed, long size, long offset) {}

    private record Piece(byte[] input, byte[] output, int outputLength) {}

    private final OutputStream out;
    private final int level;
    private final ExecutorService pool;
    private final int ahead;
    private final List<Central> central = new ArrayList<>();
    private final ByteBuffer head = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
    private long offset;
    private Entry open;
    private boolean closed;

    /** @param threads compress on this many threads; 1 compresses on the caller's */
    PiecewiseZip(OutputStream out, int level, int threads) {
        this.out = out;
        this.level = level;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "zip-deflate");
            t.setDaemon(true);
            return t;
        }) : null;
        // Pieces in flight: each holds its input and output, so memory stays a few MiB.
        this.ahead = 2 * Math.max(1, threads);
    }

    /** Starts an entry; write its content to the stream returned, then close that stream. */
    OutputStream entry(String name) throws IOException {
        if (open != null) {
            throw new IllegalStateException("entry " + open.name + " is still open");
        }
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        head.clear();
        head.putInt(0x04034b50).putShort((short) 20).putShort((short) FLAGS).putShort((short) Deflater.DEFLATED)
                .putShort((short) DOS_TIME).putShort((short) DOS_DATE).putInt(0).putInt(0).putInt(0)
                .putShort((short) n.length).putShort((short) 0);
        long start = offset;
        writeHead();
        raw(n, 0, n.length);
        open = new Entry(name, n, start);
        return open;
    }

    /** Whole small entry at once. */
    void entry(String name, byte[] content) throws IOException {
        try (OutputStream e = entry(name)) {
            e.write(content);
        }
    }

    /** Writes the central directory and the end records; the stream stays open. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (open != null) {
                open.close();
            }
            long start = offset;
            for (Central c : central) {
                boolean big = c.size >= MAX32 || c.compressed >= MAX32 || c.offset >= MAX32;
                ByteBuffer extra = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
                if (big) {
                    extra.putShort((short) 1).putShort((short) 0);
                    // Only the fields that overflow, in this order (APPNOTE 4.5.3).
                    if (c.size >= MAX32) {
                        extra.putLong(c.size);
                    }
                    if (c.compressed >= MAX32) {
                        extra.putLong(c.compressed);
                    }
                    if (c.offset >= MAX32) {
                        extra.putLong(c.offset);
                    }
                    extra.putShort(2, (short) (extra.position() - 4));
                }
                head.clear();
                head.putInt(0x02014b50).putShort((short) (big ? 45 : 20)).putShort((short) (big ? 45 : 20))
                        .putShort((short) FLAGS).putShort((short) Deflater.DEFLATED)
                        .putShort((short) DOS_TIME).putShort((short) DOS_DATE).putInt((int) c.crc)
                        .putInt((int) Math.min(c.compressed, MAX32)).putInt((int) Math.min(c.size, MAX32))
                        .putShort((short) c.name.length).putShort((short) extra.position()).putShort((short) 0)
                        .putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) Math.min(c.offset, MAX32));
                writeHead();
                raw(c.name, 0, c.name.length);
                raw(extra.array(), 0, extra.position());
            }
            long size = offset - start;
            if (start >= MAX32 || size >= MAX32 || central.size() >= 0xFFFF) {
                long record = offset;
                head.clear();
                head.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                        .putLong(central.size()).putLong(central.size()).putLong(size).putLong(start);
                head.putInt(0x07064b50).putInt(0).putLong(record).putInt(1);
                writeHead();
            }
            head.clear();
            head.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                    .putShort((short) Math.min(central.size(), 0xFFFF)).putShort((short) Math.min(central.size(), 0xFFFF))
                    .putInt((int) Math.min(size, MAX32)).putInt((int) Math.min(start, MAX32)).putShort((short) 0);
            writeHead();
            out.flush();
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    private void writeHead() throws IOException {
        raw(head.array(), 0, head.position());
    }

    private void raw(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        offset += len;
    }

    /** One entry's content: buffered into pieces, each deflated when full, written out in order. */
    private final class Entry extends OutputStream {
        private final String name;
        private final byte[] encodedName;
        private final long start;
        private final CRC32 crc = new CRC32();
        private final Deque<Future<Piece>> pending = new ArrayDeque<>();
        private final Deque<byte[]> spare = new ArrayDeque<>();
        private byte[] piece = new byte[PIECE];
        private int n;
        private byte[] dictionary;
        private long size;
        private long compressed;
        private boolean done;

        Entry(String name, byte[] encodedName, long start) {
            this.name = name;
            this.encodedName = encodedName;
            this.start = start;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (n == PIECE) {
                    submit(false);
                }
                int k = Math.min(len, PIECE - n);
                System.arraycopy(b, off, piece, n, k);
                n += k;
                off += k;
                len -= k;
            }
        }

        /** Hands the current piece to be compressed and starts the next. */
        private void submit(boolean last) throws IOException {
            byte[] input = piece;
            int length = n;
            byte[] dict = dictionary;
            crc.update(input, 0, length);
            size += length;
            if (!last) {
                // The next piece's dictionary: the last 32 KiB of this one's input.
                dictionary = Arrays.copyOfRange(input, length - WINDOW, length);
                piece = spare.isEmpty() ? new byte[PIECE] : spare.pop();
                n = 0;
            }
            pending.add(pool == null
                    ? CompletableFuture.completedFuture(deflate(input, length, dict, last, level))
                    : pool.submit(() -> deflate(input, length, dict, last, level)));
            while (pending.size() > (last ? 0 : ahead)) {
                Piece p = take(pending.removeFirst());
                raw(p.output, 0, p.outputLength);
                compressed += p.outputLength;
                spare.push(p.input);
            }
        }

        @Override
        public void close() throws IOException {
            if (done) {
                return;
            }
            done = true;
            submit(true);
            open = null;
            boolean big = size >= MAX32 || compressed >= MAX32;
            head.clear();
            head.putInt(0x08074b50).putInt((int) crc.getValue());
            if (big) {
                head.putLong(compressed).putLong(size);
            } else {
                head.putInt((int) compressed).putInt((int) size);
            }
            writeHead();
            central.add(new Central(encodedName, crc.getValue(), compressed, size, start));
        }
    }

    private static Piece take(Future<Piece> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compressing", e);
        } catch (ExecutionException e) {
            throw new IOException("compressing failed: " + e.getCause(), e.getCause());
        }
    }

    /** One piece as raw deflate: ended by a sync flush (byte-aligned, not final), or the final block when last. */
    static Piece deflate(byte[] input, int length, byte[] dictionary, boolean last, int level) {
        Deflater d = new Deflater(level, true);
        try {
            if (dictionary != null) {
                d.setDictionary(dictionary);
            }
            d.setInput(input, 0, length);
            if (last) {
                d.finish();
            }
            byte[] output = new byte[length / 2 + 1024];
            int m = 0;
            while (true) {
                if (m == output.length) {
                    output = Arrays.copyOf(output, 2 * output.length);
                }
                int free = output.length - m;
                int k = d.deflate(output, m, free, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
                m += k;
                // A flush that filled the space may have more to give; otherwise it is complete.
                if (last ? d.finished() : k < free) {
                    return new Piece(input, output, m);
                }
            }
        } finally {
            d.end();
        }
    }
}
