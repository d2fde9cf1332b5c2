package dev.meshpipe.mesh.io.dicom;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/** Decodes one grey-scale frame (native or RLE) into floats with the rescale applied. */
final class DicomPixels {
    private DicomPixels() {}

    /** Refuses what meshpipe cannot turn into one scalar frame, before any pixel is decoded. */
    static void checkImage(DicomFile f) {
        if (!f.hasPixels()) {
            throw new MeshException(MeshError.NOT_A_VOLUME, f.name + " holds no pixel data");
        }
        if (f.rows <= 0 || f.columns <= 0) {
            throw new MeshException(MeshError.INVALID_VOLUME, "invalid DICOM file " + f.name + ": Rows and Columns must be positive");
        }
        if (f.samplesPerPixel != 1) {
            throw new MeshException(MeshError.UNSUPPORTED_INPUT, f.name + " is a colour image (" + f.samplesPerPixel
                    + " samples per pixel, " + f.photometric + "); only grey-scale images can be meshed");
        }
        if (f.bitsAllocated != 8 && f.bitsAllocated != 16 && f.bitsAllocated != 32) {
            throw new MeshException(MeshError.UNSUPPORTED_INPUT, f.name + ": BitsAllocated " + f.bitsAllocated
                    + " is not supported (8, 16 and 32 are)");
        }
        if (f.bitsStored < 1 || f.bitsStored > f.bitsAllocated) {
            f.bitsStored = f.bitsAllocated;
        }
    }

    static int frames(DicomFile f) {
        try {
            return f.numberOfFrames == null || f.numberOfFrames.isBlank() ? 1 : Math.max(1, Integer.parseInt(f.numberOfFrames.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    static float[] decode(DicomFile f) {
        float[] out = new float[f.rows * f.columns];
        decodeInto(f, out, 0, new Scratch());
        return out;
    }

    /** A worker's buffers for pixels read from a file, reused from slice to slice. */
    static final class Scratch {
        private byte[] bytes = new byte[0];
        private short[] shorts = new short[0];
        /**
         * Direct, so a read from the file is the kernel's one copy: into a heap array the JDK
         * would read into a direct buffer of its own and copy again.
         */
        private ByteBuffer direct = ByteBuffer.allocateDirect(0);

        byte[] atLeast(int n) {
            if (bytes.length < n) {
                bytes = new byte[n];
            }
            return bytes;
        }

        short[] shortsAtLeast(int n) {
            if (shorts.length < n) {
                shorts = new short[n];
            }
            return shorts;
        }

        ByteBuffer directOf(int n) {
            if (direct.capacity() < n) {
                direct = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
            }
            direct.clear().limit(n);
            return direct;
        }
    }

    /**
     * Decodes the frame straight into {@code out} from {@code at}, so a series needs no copy per
     * slice; pixels left in the file are read into {@code scratch} first.
     */
    static void decodeInto(DicomFile f, float[] out, int at, Scratch scratch) {
        checkImage(f);
        int n = f.rows * f.columns;
        int bytes = f.bitsAllocated / 8;
        byte[] src;
        int off;
        boolean bigEndian;
        if (f.fragments != null) {
            if (!f.transferSyntax.equals(DicomFile.RLE)) {
                throw new MeshException(MeshError.UNSUPPORTED_TRANSFER_SYNTAX, f.name + ": encapsulated pixel data in "
                        + TransferSyntaxNames.describe(f.transferSyntax) + " is not supported");
            }
            src = Rle.decode(f, n, bytes);
            off = 0;
            bigEndian = false;
        } else {
            long frameBytes = (long) n * bytes;
            if ((f.frame + 1) * frameBytes > f.pixelLength) {
                throw new MeshException(MeshError.INVALID_VOLUME, "invalid DICOM file " + f.name + ": pixel data holds "
                        + f.pixelLength + " bytes, " + (f.frame + 1) + " frame(s) of " + f.rows + "x" + f.columns + " samples of "
                        + f.bitsAllocated + " bits need " + (f.frame + 1) * frameBytes);
            }
            bigEndian = f.bigEndian;
            if (f.pixelBuffer != null) {
                src = f.pixelBuffer;
                off = (int) (f.pixelOffset + f.frame * frameBytes);
            } else {
                ByteBuffer read = readFrame(f, (int) frameBytes, scratch);
                if (bytes == 2 && !bigEndian && f.bitsStored == 16) {
                    short[] samples = scratch.shortsAtLeast(n);
                    read.asShortBuffer().get(samples, 0, n);
                    decodeShorts(samples, n, f.pixelRepresentation == 1, f.slope == 0 ? 1 : f.slope, f.intercept, out, at);
                    return;
                }
                src = scratch.atLeast((int) frameBytes);
                read.get(0, src, 0, (int) frameBytes);
                off = 0;
            }
        }
        boolean signed = f.pixelRepresentation == 1;
        double slope = f.slope == 0 ? 1 : f.slope;
        double inter = f.intercept;
        if (bytes == 2 && !bigEndian && f.bitsStored == 16) {
            decode16(src, off, n, signed, slope, inter, out, at);
            return;
        }
        int shift = 32 - f.bitsStored;
        long mask = f.bitsStored >= 32 ? 0xFFFFFFFFL : (1L << f.bitsStored) - 1;
        for (int i = 0; i < n; i++) {
            int p = off + i * bytes;
            long raw = switch (bytes) {
                case 1 -> src[p] & 0xff;
                case 2 -> bigEndian ? (src[p] & 0xff) << 8 | (src[p + 1] & 0xff) : (src[p] & 0xff) | (src[p + 1] & 0xff) << 8;
                default -> bigEndian
                        ? ((long) (src[p] & 0xff) << 24 | (src[p + 1] & 0xff) << 16 | (src[p + 2] & 0xff) << 8 | (src[p + 3] & 0xff))
                        : ((long) (src[p + 3] & 0xff) << 24 | (src[p + 2] & 0xff) << 16 | (src[p + 1] & 0xff) << 8 | (src[p] & 0xff));
            };
            long v = raw & mask;
            if (signed) {
                v = ((int) (v << shift)) >> shift;
            }
            out[at + i] = (float) (v * slope + inter);
        }
    }

    private static ByteBuffer readFrame(DicomFile f, int frameBytes, Scratch scratch) {
        ByteBuffer b = scratch.directOf(frameBytes);
        long pos = f.pixelFilePos + (long) f.frame * frameBytes;
        try (FileChannel ch = FileChannel.open(f.source)) {
            while (b.hasRemaining()) {
                if (ch.read(b, pos + b.position()) < 0) {
                    throw new MeshException(MeshError.INVALID_VOLUME, "invalid DICOM file " + f.name + ": the file ends early");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.flip();
    }

    /**
     * 16-bit little-endian samples already turned into shorts (one bulk copy): a plain loop over
     * them that the JIT can vectorise, unlike assembling each sample from two bytes.
     */
    private static void decodeShorts(short[] src, int n, boolean signed, double slope, double inter, float[] out, int at) {
        boolean integral = slope == 1 && inter == Math.rint(inter) && Math.abs(inter) < (1 << 23);
        if (integral && signed) {
            int shift = (int) inter;
            for (int i = 0; i < n; i++) {
                out[at + i] = src[i] + shift;
            }
        } else if (integral) {
            int shift = (int) inter;
            for (int i = 0; i < n; i++) {
                out[at + i] = (src[i] & 0xffff) + shift;
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[at + i] = (float) ((signed ? src[i] : src[i] & 0xffff) * slope + inter);
            }
        }
    }

    /** The common case (16-bit little endian, all bits stored) as a tight loop: most CT and MR series. */
    private static void decode16(byte[] src, int off, int n, boolean signed, double slope, double inter, float[] out, int at) {
        // Slope 1 and a whole intercept (CT's -1024): integer arithmetic is exact and gives the same floats.
        boolean integral = slope == 1 && inter == Math.rint(inter) && Math.abs(inter) < (1 << 23);
        int shift = (int) inter;
        for (int i = 0; i < n; i++) {
            int lo = src[off + 2 * i] & 0xff;
            int hi = src[off + 2 * i + 1];
            int v = signed ? (hi << 8 | lo) : ((hi & 0xff) << 8 | lo);
            out[at + i] = integral ? v + shift : (float) (v * slope + inter);
        }
    }

    /** RLE Lossless (PS3.5 annex G): one PackBits segment per byte of a sample, most significant first. */
    static final class Rle {
        private Rle() {}

        static byte[] decode(DicomFile f, int n, int bytes) {
            byte[] frame;
            if (frames(f) > 1) {
                // One fragment per frame, as PS3.5 A.4.2 requires for RLE.
                if (f.fragments.size() != frames(f)) {
                    throw invalid(f, "RLE pixel data holds " + f.fragments.size() + " fragments for " + frames(f) + " frames");
                }
                frame = f.fragments.get(f.frame);
            } else {
                int total = 0;
                for (byte[] frag : f.fragments) {
                    total += frag.length;
                }
                frame = new byte[total];
                int at = 0;
                for (byte[] frag : f.fragments) {
                    System.arraycopy(frag, 0, frame, at, frag.length);
                    at += frag.length;
                }
            }
            if (frame.length < 64) {
                throw invalid(f, "the RLE header is missing");
            }
            int segments = le32(frame, 0);
            if (segments != bytes) {
                throw invalid(f, "RLE frame has " + segments + " segments, " + bytes + " expected");
            }
            byte[] out = new byte[n * bytes];
            for (int s = 0; s < segments; s++) {
                int start = le32(frame, 4 + 4 * s);
                int end = s + 1 < segments ? le32(frame, 8 + 4 * s) : frame.length;
                if (start < 64 || end > frame.length || start > end) {
                    throw invalid(f, "RLE segment offsets are out of range");
                }
                // Segment s holds byte (bytes - 1 - s) of each little-endian sample.
                unpack(f, frame, start, end, out, bytes - 1 - s, bytes, n);
            }
            return out;
        }

        private static void unpack(DicomFile f, byte[] in, int from, int to, byte[] out, int lane, int stride, int n) {
            int produced = 0;
            int i = from;
            while (i < to && produced < n) {
                int h = in[i++];
                if (h >= 0) {
                    int count = h + 1;
                    if (i + count > to) {
                        throw invalid(f, "an RLE literal run passes the end of its segment");
                    }
                    for (int k = 0; k < count && produced < n; k++) {
                        out[produced++ * stride + lane] = in[i + k];
                    }
                    i += count;
                } else if (h != -128) {
                    if (i >= to) {
                        throw invalid(f, "an RLE replicate run passes the end of its segment");
                    }
                    byte v = in[i++];
                    for (int k = 0; k < 1 - h && produced < n; k++) {
                        out[produced++ * stride + lane] = v;
                    }
                }
            }
            if (produced < n) {
                throw invalid(f, "an RLE segment decodes to " + produced + " of " + n + " samples");
            }
        }

        private static int le32(byte[] b, int at) {
            return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
        }

        private static MeshException invalid(DicomFile f, String why) {
            return new MeshException(MeshError.INVALID_VOLUME, "invalid DICOM file " + f.name + ": " + why);
        }
    }
}
