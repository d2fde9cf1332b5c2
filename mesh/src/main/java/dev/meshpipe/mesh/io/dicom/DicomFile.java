package dev.meshpipe.mesh.io.dicom;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * One DICOM file, parsed by hand: dcm4che is not on Maven Central and the image elements meshpipe
 * needs are few. Only the top-level data set is read; sequences are skipped by their lengths or
 * delimiters, and parsing stops at the pixel data. Every length is checked against the bytes left,
 * so a damaged file fails with INVALID_VOLUME, never an exception or a long loop.
 */
public final class DicomFile {
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String DEFLATED_LE = "1.2.840.10008.1.2.1.99";
    static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
    static final String RLE = "1.2.840.10008.1.2.5";
    private static final int MAX_DEPTH = 32;
    private static final int UNDEFINED = 0xFFFFFFFF;
    /**
     * How much of a file is read first. A slice's header sits well inside it, so the pixels can be
     * read later straight from the file into the slice's place; a longer header reads the whole file.
     */
    static final int HEAD_BYTES = 1 << 16;
    /**
     * What is tried before {@link #HEAD_BYTES}: most headers are a few KiB, and reading 64 KiB of
     * each of hundreds of files (pixels read again later) costs more than parsing them.
     */
    static final int SMALL_HEAD_BYTES = 1 << 14;
    /** Thrown by a cursor over the head of a file when it needs bytes past the head; never escapes. */
    private static final RuntimeException NEED_WHOLE_FILE = new RuntimeException("need the whole file", null, false, false) {};

    final String name;
    String transferSyntax = IMPLICIT_LE;
    String sopClass;
    String modality;
    String seriesUid;
    String seriesNumber;
    String seriesDescription;
    String photometric;
    int rows = -1;
    int columns = -1;
    int bitsAllocated = -1;
    int bitsStored = -1;
    int pixelRepresentation;
    int samplesPerPixel = 1;
    String numberOfFrames;
    double[] position;
    double[] orientation;
    double[] pixelSpacing;
    double slope = 1;
    double intercept;
    /** Native pixel data: the bytes of the data set and where the samples lie. */
    byte[] pixelBuffer;
    int pixelOffset = -1;
    int pixelLength;
    boolean bigEndian;
    /** Native pixel data left in the file: where it starts there, read when the slice is decoded. */
    Path source;
    long pixelFilePos = -1;
    /** Encapsulated (RLE) pixel data: the fragments after the offset table. */
    List<byte[]> fragments;
    /** A multi-frame image's functional groups: shared by all frames, and one per frame (null when absent). */
    FrameGroups shared;
    List<FrameGroups> perFrame;
    /** Which frame of the file this is (0 for a single-frame file). */
    int frame;

    private DicomFile(String name) {
        this.name = name;
    }

    /** Per-frame geometry and rescale from the functional group macros; null where a macro is absent. */
    static final class FrameGroups {
        double[] position;
        double[] orientation;
        double[] pixelSpacing;
        double[] slope;
        double[] intercept;
    }

    /** A copy of this file's header that stands for one of its frames, sharing the pixel bytes. */
    DicomFile frameView(int index, String frameName) {
        DicomFile v = new DicomFile(frameName);
        v.transferSyntax = transferSyntax;
        v.sopClass = sopClass;
        v.modality = modality;
        v.seriesUid = seriesUid;
        v.seriesNumber = seriesNumber;
        v.seriesDescription = seriesDescription;
        v.photometric = photometric;
        v.rows = rows;
        v.columns = columns;
        v.bitsAllocated = bitsAllocated;
        v.bitsStored = bitsStored;
        v.pixelRepresentation = pixelRepresentation;
        v.samplesPerPixel = samplesPerPixel;
        v.numberOfFrames = numberOfFrames;
        v.position = position;
        v.orientation = orientation;
        v.pixelSpacing = pixelSpacing;
        v.slope = slope;
        v.intercept = intercept;
        v.pixelBuffer = pixelBuffer;
        v.pixelOffset = pixelOffset;
        v.pixelLength = pixelLength;
        v.bigEndian = bigEndian;
        v.source = source;
        v.pixelFilePos = pixelFilePos;
        v.fragments = fragments;
        v.frame = index;
        return v;
    }

    /**
     * Parses a file on disk reading only its head when the pixel data starts there (native pixels
     * of a single file are then read at decode time, once, straight into the volume); otherwise,
     * or for deflated and encapsulated data, the whole file. Null when it is not DICOM.
     */
    static DicomFile parse(Path file, String name, long maxInflated) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new MeshException(MeshError.VOLUME_TOO_LARGE, name + " is larger than 2 GiB");
            }
            for (int head : new int[] {SMALL_HEAD_BYTES, HEAD_BYTES}) {
                if (size > head) {
                    try {
                        DicomFile f = parse(readFully(ch, 0, head), name, maxInflated, size);
                        if (f != null) {
                            f.source = file;
                        }
                        return f;
                    } catch (RuntimeException e) {
                        if (e != NEED_WHOLE_FILE) {
                            throw e;
                        }
                    }
                }
            }
            return parse(readFully(ch, 0, (int) size), name, maxInflated);
        }
    }

    /** Reads {@code n} bytes at {@code pos}; a file that got shorter meanwhile is refused. */
    static byte[] readFully(FileChannel ch, long pos, int n) throws IOException {
        byte[] b = new byte[n];
        readFully(ch, pos, b, n, "file");
        return b;
    }

    static void readFully(FileChannel ch, long pos, byte[] into, int n, String name) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(into, 0, n);
        while (bb.hasRemaining()) {
            if (ch.read(bb, pos + bb.position()) < 0) {
                throw new MeshException(MeshError.INVALID_VOLUME, "invalid DICOM file " + name + ": the file ends early");
            }
        }
    }

    /** True when the bytes carry the Part 10 marker "DICM" after the 128-byte preamble. */
    public static boolean hasPart10Marker(byte[] head) {
        return head.length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
    }

    /**
     * Parses a file, or returns null when it is not DICOM at all (no marker and no plausible
     * data set at the start), so a series reader can skip it.
     */
    static DicomFile parse(byte[] b, String name, long maxInflated) {
        return parse(b, name, maxInflated, b.length);
    }

    /** Parses {@code b}, the first bytes of a source of {@code sourceLength} bytes. */
    private static DicomFile parse(byte[] b, String name, long maxInflated, long sourceLength) {
        DicomFile f = new DicomFile(name);
        long beyond = sourceLength - b.length;
        int start;
        if (hasPart10Marker(b)) {
            start = 132;
        } else if (looksLikeBareDataSet(b)) {
            start = 0;
        } else {
            return null;
        }
        Cursor c = new Cursor(b, start, b.length, true, true, name, beyond);
        if (start == 132 || (b.length >= 2 && b[0] == 2 && b[1] == 0)) {
            c = f.readMeta(c);
        } else if (isExplicitVr(b, 4)) {
            c = new Cursor(b, 0, b.length, true, true, name, beyond);
            f.transferSyntax = EXPLICIT_LE;
        } else {
            c = new Cursor(b, 0, b.length, false, true, name, beyond);
        }
        f.readDataSet(c, maxInflated);
        if (beyond > 0 && !f.hasPixels()) {
            throw NEED_WHOLE_FILE; // the head ended before the pixel data: read on
        }
        return f;
    }

    /** A file without preamble: the first tag is a small even group, as in old ACR-NEMA style files. */
    static boolean looksLikeBareDataSet(byte[] b) {
        if (b.length < 8) {
            return false;
        }
        int group = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        return group == 0x0002 || group == 0x0008;
    }

    private static boolean isExplicitVr(byte[] b, int at) {
        return at + 1 < b.length && b[at] >= 'A' && b[at] <= 'Z' && b[at + 1] >= 'A' && b[at + 1] <= 'Z';
    }

    private Cursor readMeta(Cursor c) {
        transferSyntax = null;
        while (c.remaining() >= 8 && c.peekGroup() == 0x0002) {
            Element e = c.next();
            if (e.tag == 0x00020010) {
                transferSyntax = c.string(e);
            }
            c.skipValue(e, 0);
        }
        if (transferSyntax == null || transferSyntax.isEmpty()) {
            // Some writers leave the syntax out: the VR letters (or their absence) tell which it is.
            transferSyntax = isExplicitVr(c.buf, c.pos + 4) ? EXPLICIT_LE : IMPLICIT_LE;
        }
        String ts = transferSyntax;
        return switch (ts) {
            case IMPLICIT_LE -> c.with(false, true);
            case EXPLICIT_LE, RLE, DEFLATED_LE -> c.with(true, true);
            case EXPLICIT_BE -> c.with(true, false);
            default -> throw new MeshException(MeshError.UNSUPPORTED_TRANSFER_SYNTAX, name + ": transfer syntax "
                    + TransferSyntaxNames.describe(ts) + " is not supported (implicit and explicit VR little endian, "
                    + "explicit VR big endian, deflated and RLE lossless are)");
        };
    }

    private void readDataSet(Cursor c, long maxInflated) {
        if (transferSyntax.equals(DEFLATED_LE)) {
            if (c.beyond > 0) {
                throw NEED_WHOLE_FILE;
            }
            byte[] inflated = inflate(c.buf, c.pos, c.end, maxInflated);
            c = new Cursor(inflated, 0, inflated.length, true, true, name, 0);
        }
        bigEndian = !c.littleEndian;
        while (c.remaining() > 0) {
            if (c.remaining() < 8) {
                throw c.invalid("the data set ends inside an element header");
            }
            Element e = c.next();
            if (e.tag == 0x7FE00010) {
                readPixelData(c, e);
                return;
            }
            if (Integer.compareUnsigned(e.tag, 0x7FE00010) > 0) {
                return;
            }
            if (e.tag == SHARED_GROUPS || e.tag == PER_FRAME_GROUPS) {
                List<FrameGroups> items = c.readGroups(e);
                if (e.tag == SHARED_GROUPS) {
                    shared = items.isEmpty() ? null : items.get(0);
                } else {
                    perFrame = items;
                }
                continue;
            }
            if (e.length != UNDEFINED && Integer.toUnsignedLong(e.length) <= c.remaining()) {
                keep(c, e);
            }
            c.skipValue(e, 0);
        }
    }

    private void keep(Cursor c, Element e) {
        switch (e.tag) {
            case 0x00080016 -> sopClass = c.string(e);
            case 0x00080060 -> modality = c.string(e);
            case 0x0008103E -> seriesDescription = c.string(e);
            case 0x0020000E -> seriesUid = c.string(e);
            case 0x00200011 -> seriesNumber = c.string(e);
            case 0x00200032 -> position = c.decimals(e, 3);
            case 0x00200037 -> orientation = c.decimals(e, 6);
            case 0x00280002 -> samplesPerPixel = c.ushort(e);
            case 0x00280004 -> photometric = c.string(e);
            case 0x00280008 -> numberOfFrames = c.string(e);
            case 0x00280010 -> rows = c.ushort(e);
            case 0x00280011 -> columns = c.ushort(e);
            case 0x00280030 -> pixelSpacing = c.decimals(e, 2);
            case 0x00280100 -> bitsAllocated = c.ushort(e);
            case 0x00280101 -> bitsStored = c.ushort(e);
            case 0x00280103 -> pixelRepresentation = c.ushort(e);
            case 0x00281052 -> intercept = single(c.decimals(e, 1), 0);
            case 0x00281053 -> slope = single(c.decimals(e, 1), 1);
            default -> { }
        }
    }

    private static double single(double[] v, double otherwise) {
        return v == null || !Double.isFinite(v[0]) ? otherwise : v[0];
    }

    private void readPixelData(Cursor c, Element e) {
        if (e.length != UNDEFINED && c.beyond > 0) {
            if (Integer.toUnsignedLong(e.length) > c.remaining() + c.beyond) {
                throw new MeshException(MeshError.INVALID_VOLUME, "invalid DICOM file " + name + ": the pixel data ("
                        + Integer.toUnsignedLong(e.length) + " bytes) runs past the end of the file");
            }
            pixelFilePos = c.pos; // the head starts at the file's first byte
            pixelLength = e.length;
            return;
        }
        if (e.length == UNDEFINED && c.beyond > 0) {
            throw NEED_WHOLE_FILE;
        }
        if (e.length != UNDEFINED) {
            if (Integer.toUnsignedLong(e.length) > c.remaining()) {
                throw c.invalid("the pixel data (" + Integer.toUnsignedLong(e.length) + " bytes) runs past the end of the file");
            }
            pixelBuffer = c.buf;
            pixelOffset = c.pos;
            pixelLength = e.length;
            return;
        }
        fragments = new ArrayList<>();
        boolean first = true;
        while (true) {
            if (c.remaining() < 8) {
                throw c.invalid("the encapsulated pixel data ends without a sequence delimiter");
            }
            int tag = c.tag();
            int len = c.int32();
            if (tag == 0xFFFEE0DD) {
                return;
            }
            if (tag != 0xFFFEE000 || len == UNDEFINED || Integer.toUnsignedLong(len) > c.remaining()) {
                throw c.invalid("a pixel data fragment is malformed or runs past the end of the file");
            }
            byte[] frag = java.util.Arrays.copyOfRange(c.buf, c.pos, c.pos + len);
            c.pos += len;
            if (!first) {
                fragments.add(frag);
            }
            first = false;
        }
    }

    private byte[] inflate(byte[] b, int from, int to, long maxInflated) {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(b, from, to - from);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.max(1024, (to - from) * 4));
            byte[] buf = new byte[1 << 16];
            long total = 0;
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break; // the stream ends early: parse what came out, bounds checks catch a short data set
                }
                total += n;
                if (total > maxInflated || total > Integer.MAX_VALUE - 16) {
                    throw new MeshException(MeshError.VOLUME_TOO_LARGE, name + ": the deflated data set inflates past the limit of " + maxInflated + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException ex) {
            throw new MeshException(MeshError.INVALID_VOLUME, name + ": corrupt deflated data set: " + ex.getMessage());
        } finally {
            inf.end();
        }
    }

    boolean hasPixels() {
        return pixelOffset >= 0 || pixelFilePos >= 0 || fragments != null;
    }

    private static final int SHARED_GROUPS = 0x52009229;
    private static final int PER_FRAME_GROUPS = 0x52009230;
    private static final int PLANE_POSITION = 0x00209113;
    private static final int PLANE_ORIENTATION = 0x00209116;
    private static final int PIXEL_MEASURES = 0x00289110;
    private static final int PIXEL_VALUE_TRANSFORM = 0x00289145;

    /** An element header: tag, VR (its two letters as {@link #vr}, 0 when implicit) and value length. */
    record Element(int tag, int vr, int length) {}

    /** VRs are compared as their two ASCII letters in one int, so the parser makes no String per element. */
    private static final int VR_UN = 'U' << 8 | 'N';

    /** A bounds-checked reader over a byte range in one encoding. */
    static final class Cursor {
        final byte[] buf;
        int pos;
        final int end;
        final boolean explicit;
        final boolean littleEndian;
        final String name;
        /** Bytes of the source after {@code end} that were not read: running into them needs the whole file. */
        final long beyond;

        Cursor(byte[] buf, int pos, int end, boolean explicit, boolean littleEndian, String name, long beyond) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
            this.explicit = explicit;
            this.littleEndian = littleEndian;
            this.name = name;
            this.beyond = beyond;
        }

        Cursor with(boolean explicitVr, boolean le) {
            return new Cursor(buf, pos, end, explicitVr, le, name, beyond);
        }

        int remaining() {
            return end - pos;
        }

        int peekGroup() {
            return u16(pos);
        }

        private int u16(int at) {
            return littleEndian ? (buf[at] & 0xff) | (buf[at + 1] & 0xff) << 8 : (buf[at] & 0xff) << 8 | (buf[at + 1] & 0xff);
        }

        private int u32(int at) {
            return littleEndian ? u16(at) | u16(at + 2) << 16 : u16(at) << 16 | u16(at + 2);
        }

        private void need(int n) {
            if (remaining() < n) {
                throw invalid("the file ends inside an element");
            }
        }

        int tag() {
            need(4);
            int t = u16(pos) << 16 | u16(pos + 2);
            pos += 4;
            return t;
        }

        int int32() {
            need(4);
            int v = u32(pos);
            pos += 4;
            return v;
        }

        /** Reads an element header; item and delimiter tags always have a 4-byte length. */
        Element next() {
            int tag = tag();
            if ((tag >>> 16) == 0xFFFE || !explicit) {
                return new Element(tag, 0, int32());
            }
            need(4);
            int a = buf[pos] & 0xff;
            int b = buf[pos + 1] & 0xff;
            int vr = a << 8 | b;
            pos += 2;
            if (longVr(vr)) {
                need(6);
                pos += 2;
                return new Element(tag, vr, int32());
            }
            if (!(a >= 'A' && a <= 'Z' && b >= 'A' && b <= 'Z')) {
                throw invalid(String.format("element (%04X,%04X) has no valid VR", tag >>> 16, tag & 0xffff));
            }
            int len = u16(pos);
            pos += 2;
            return new Element(tag, vr, len);
        }

        private static boolean longVr(int vr) {
            return switch (vr) {
                case 'O' << 8 | 'B', 'O' << 8 | 'D', 'O' << 8 | 'F', 'O' << 8 | 'L', 'O' << 8 | 'V', 'O' << 8 | 'W', 'S' << 8 | 'Q',
                        'S' << 8 | 'V', 'U' << 8 | 'C', 'U' << 8 | 'N', 'U' << 8 | 'R', 'U' << 8 | 'T', 'U' << 8 | 'V' -> true;
                default -> false;
            };
        }

        /** Skips the element's value: by its length, or through items and delimiters when undefined. */
        void skipValue(Element e, int depth) {
            if (e.length != UNDEFINED) {
                long len = Integer.toUnsignedLong(e.length);
                if (len > remaining()) {
                    throw invalid(String.format("element (%04X,%04X) of %d bytes runs past the end of the file",
                            e.tag >>> 16, e.tag & 0xffff, len));
                }
                pos += (int) len;
                return;
            }
            if (depth > MAX_DEPTH) {
                throw invalid("sequences are nested deeper than " + MAX_DEPTH + " levels");
            }
            // An undefined length is a sequence (or UN holding one, encoded implicit VR little endian).
            Cursor inner = e.vr == VR_UN ? with(false, true) : this;
            inner.skipSequence(depth + 1);
            pos = inner.pos;
        }

        private void skipSequence(int depth) {
            while (true) {
                Element item = next();
                if (item.tag == 0xFFFEE0DD) {
                    return;
                }
                if (item.tag != 0xFFFEE000) {
                    throw invalid("a sequence holds something other than items");
                }
                if (item.length != UNDEFINED) {
                    skipValue(item, depth);
                    continue;
                }
                while (true) {
                    Element inner = next();
                    if (inner.tag == 0xFFFEE00D) {
                        break;
                    }
                    skipValue(inner, depth + 1);
                }
            }
        }

        String string(Element e) {
            int len = e.length;
            if (len < 0 || len > remaining()) {
                throw invalid("a text element runs past the end of the file");
            }
            String s = new String(buf, pos, Math.min(len, 1024), StandardCharsets.ISO_8859_1);
            return s.replace('\0', ' ').trim();
        }

        int ushort(Element e) {
            if (e.length < 2 || e.length > remaining()) {
                return -1;
            }
            return u16(pos);
        }

        /** Reads a DS multi-value, or null when it does not hold {@code n} finite numbers. */
        double[] decimals(Element e, int n) {
            String[] parts = string(e).split("\\\\");
            if (parts.length < n) {
                return null;
            }
            double[] v = new double[n];
            try {
                for (int i = 0; i < n; i++) {
                    v[i] = Double.parseDouble(parts[i].trim());
                    if (!Double.isFinite(v[i])) {
                        return null;
                    }
                }
            } catch (NumberFormatException ex) {
                return null;
            }
            return v;
        }

        RuntimeException invalid(String why) {
            if (beyond > 0) {
                return NEED_WHOLE_FILE; // not damage yet: only the head was read
            }
            return new MeshException(MeshError.INVALID_VOLUME, "invalid DICOM file " + name + ": " + why);
        }

        /**
         * Reads the items of a functional groups sequence, keeping from each the plane position,
         * plane orientation, pixel measures and pixel value transformation macros.
         */
        List<FrameGroups> readGroups(Element seq) {
            List<FrameGroups> items = new ArrayList<>();
            Cursor c = seq.vr == VR_UN ? with(false, true) : this;
            c.forEachItem(seq, 1, () -> {
                FrameGroups g = new FrameGroups();
                items.add(g);
                return g;
            }, (inner, e, g) -> inner.keepGroup(e, g));
            pos = c.pos;
            return items;
        }

        /** One element of a frame's functional groups: a macro's sequence is read into {@code g}, others skipped. */
        private void keepGroup(Element e, FrameGroups g) {
            if (e.tag == PLANE_POSITION || e.tag == PLANE_ORIENTATION || e.tag == PIXEL_MEASURES || e.tag == PIXEL_VALUE_TRANSFORM) {
                Cursor c = e.vr == VR_UN ? with(false, true) : this;
                c.forEachItem(e, 2, () -> g, (inner, leaf, into) -> inner.keepLeaf(leaf, into));
                pos = c.pos;
                return;
            }
            skipValue(e, 2);
        }

        private void keepLeaf(Element e, FrameGroups g) {
            if (e.length != UNDEFINED && Integer.toUnsignedLong(e.length) <= remaining()) {
                switch (e.tag) {
                    case 0x00200032 -> g.position = decimals(e, 3);
                    case 0x00200037 -> g.orientation = decimals(e, 6);
                    case 0x00280030 -> g.pixelSpacing = decimals(e, 2);
                    case 0x00281052 -> g.intercept = decimals(e, 1);
                    case 0x00281053 -> g.slope = decimals(e, 1);
                    default -> { }
                }
            }
            skipValue(e, 3);
        }

        interface ElementReader {
            void read(Cursor c, Element e, FrameGroups into);
        }

        /** Walks the items of a sequence of defined or undefined length, handing each element to the reader. */
        private void forEachItem(Element seq, int depth, java.util.function.Supplier<FrameGroups> perItem, ElementReader reader) {
            long seqEnd = seq.length == UNDEFINED ? Long.MAX_VALUE : pos + Integer.toUnsignedLong(seq.length);
            if (seqEnd != Long.MAX_VALUE && seqEnd > end) {
                throw invalid("a sequence runs past the end of the file");
            }
            while (pos < seqEnd) {
                Element item = next();
                if (item.tag == 0xFFFEE0DD) {
                    break;
                }
                if (item.tag != 0xFFFEE000) {
                    throw invalid("a sequence holds something other than items");
                }
                long itemEnd = item.length == UNDEFINED ? Long.MAX_VALUE : pos + Integer.toUnsignedLong(item.length);
                if (itemEnd != Long.MAX_VALUE && itemEnd > Math.min(seqEnd, end)) {
                    throw invalid("a sequence item runs past its sequence");
                }
                FrameGroups into = perItem.get();
                while (pos < itemEnd) {
                    Element e = next();
                    if (e.tag == 0xFFFEE00D) {
                        break;
                    }
                    reader.read(this, e, into);
                }
                if (itemEnd != Long.MAX_VALUE && pos != itemEnd) {
                    throw invalid("a sequence item's elements overrun the item");
                }
            }
        }
    }
}
