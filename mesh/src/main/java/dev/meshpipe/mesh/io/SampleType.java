package dev.meshpipe.mesh.io;

import java.nio.ByteBuffer;
import java.util.Locale;

/** The voxel types meshpipe reads, with their size and conversion to float. */
public enum SampleType {
    UINT8(1), INT8(1), INT16(2), UINT16(2), INT32(4), UINT32(4), FLOAT32(4), FLOAT64(8);

    final int bytes;

    SampleType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** Converts {@code count} samples from the start of {@code bb} (in its byte order) into {@code out[off..]}. */
    void convert(ByteBuffer bb, float[] out, int off, int count) {
        switch (this) {
            case UINT8 -> { for (int i = 0; i < count; i++) out[off + i] = bb.get(i) & 0xff; }
            case INT8 -> { for (int i = 0; i < count; i++) out[off + i] = bb.get(i); }
            case INT16 -> { for (int i = 0; i < count; i++) out[off + i] = bb.getShort(2 * i); }
            case UINT16 -> { for (int i = 0; i < count; i++) out[off + i] = bb.getShort(2 * i) & 0xffff; }
            case INT32 -> { for (int i = 0; i < count; i++) out[off + i] = bb.getInt(4 * i); }
            case UINT32 -> { for (int i = 0; i < count; i++) out[off + i] = bb.getInt(4 * i) & 0xffffffffL; }
            case FLOAT32 -> { for (int i = 0; i < count; i++) out[off + i] = bb.getFloat(4 * i); }
            case FLOAT64 -> { for (int i = 0; i < count; i++) out[off + i] = (float) bb.getDouble(8 * i); }
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses meshpipe's names (uint8 ... float64). */
    public static SampleType parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
