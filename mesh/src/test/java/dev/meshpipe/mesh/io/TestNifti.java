package dev.meshpipe.mesh.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPOutputStream;

/** Small NIfTI-1 files made in memory, for tests. */
public final class TestNifti {
    private TestNifti() {}

    /** An int16 n^3 volume: 100 inside a ball of radius r around the centre, 0 outside. */
    public static byte[] ball(int n, double r) {
        short[] v = new short[n * n * n];
        double c = (n - 1) / 2.0;
        for (int z = 0, i = 0; z < n; z++) {
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++, i++) {
                    double d = Math.sqrt((x - c) * (x - c) + (y - c) * (y - c) + (z - c) * (z - c));
                    v[i] = (short) (d <= r ? 100 : 0);
                }
            }
        }
        return int16(n, n, n, new double[] {1, 1, 1}, v, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * An int16 label map of three touching boxes (labels 1, 2 and 3 side by side along x, each
     * 6 x 14 x 10 voxels) in a 24 x 20 x 16 grid of background 0.
     */
    public static byte[] threeBoxes() {
        int nx = 24, ny = 20, nz = 16;
        short[] v = new short[nx * ny * nz];
        for (int z = 3, i; z < 13; z++) {
            for (int y = 3; y < 17; y++) {
                for (int x = 3; x < 21; x++) {
                    i = x + nx * (y + ny * z);
                    v[i] = (short) (1 + (x - 3) / 6);
                }
            }
        }
        return int16(nx, ny, nz, new double[] {1, 1, 1}, v, ByteOrder.LITTLE_ENDIAN);
    }

    public static byte[] int16(int nx, int ny, int nz, double[] spacing, short[] values, ByteOrder order) {
        ByteBuffer b = header(nx, ny, nz, spacing, 4, 16, order);
        ByteBuffer data = ByteBuffer.allocate(values.length * 2).order(order);
        for (short s : values) {
            data.putShort(s);
        }
        return concat(b.array(), data.array());
    }

    /** A 352-byte header (348 + 4 extension bytes) with an sform of diag(spacing). */
    public static ByteBuffer header(int nx, int ny, int nz, double[] spacing, int datatype, int bitpix, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(352).order(order);
        b.putInt(0, 348);
        b.putShort(40, (short) 3);
        b.putShort(42, (short) nx);
        b.putShort(44, (short) ny);
        b.putShort(46, (short) nz);
        b.putShort(48, (short) 1);
        b.putShort(70, (short) datatype);
        b.putShort(72, (short) bitpix);
        b.putFloat(76, 1f);
        for (int i = 0; i < 3; i++) {
            b.putFloat(80 + 4 * i, (float) spacing[i]);
        }
        b.putFloat(108, 352f);
        b.putFloat(112, 1f);
        b.putShort(254, (short) 1);
        b.putFloat(280, (float) spacing[0]);
        b.putFloat(296 + 4, (float) spacing[1]);
        b.putFloat(312 + 8, (float) spacing[2]);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1').put(347, (byte) 0);
        return b;
    }

    /**
     * The same volume as a NIfTI-2 file (540-byte header, 4 extension bytes, data at 544), in the
     * byte order of the NIfTI-1 input: every field meshpipe reads, widened.
     */
    public static byte[] toNifti2(byte[] nifti1) {
        ByteBuffer in = ByteBuffer.wrap(nifti1).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt(0) != 348) {
            in.order(ByteOrder.BIG_ENDIAN);
        }
        ByteBuffer out = ByteBuffer.allocate(544).order(in.order());
        out.putInt(0, 540);
        out.put(4, new byte[] {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'});
        out.putShort(12, in.getShort(70));
        out.putShort(14, in.getShort(72));
        for (int i = 0; i < 8; i++) {
            out.putLong(16 + 8 * i, in.getShort(40 + 2 * i));
            out.putDouble(104 + 8 * i, in.getFloat(76 + 4 * i));
        }
        out.putLong(168, 544);
        out.putDouble(176, in.getFloat(112));
        out.putDouble(184, in.getFloat(116));
        out.putInt(344, in.getShort(252));
        out.putInt(348, in.getShort(254));
        for (int i = 0; i < 6; i++) {
            out.putDouble(352 + 8 * i, in.getFloat(256 + 4 * i));
        }
        for (int i = 0; i < 12; i++) {
            out.putDouble(400 + 8 * i, in.getFloat(280 + 4 * i));
        }
        int voxOffset = (int) in.getFloat(108);
        return concat(out.array(), java.util.Arrays.copyOfRange(nifti1, voxOffset, nifti1.length));
    }

    /** Sets the qform (code 1, identity rotation, the given offset) and clears the sform. */
    public static byte[] qformOnly(byte[] nifti1, double qfac, double[] offset) {
        byte[] out = nifti1.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 348) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        b.putShort(252, (short) 1).putShort(254, (short) 0);
        b.putFloat(76, (float) qfac);
        for (int i = 0; i < 3; i++) {
            b.putFloat(256 + 4 * i, 0f);
            b.putFloat(268 + 4 * i, (float) offset[i]);
        }
        return out;
    }

    /** The same file with sform_code 0, so only pixdim (or a qform) can place the grid. */
    public static byte[] withoutSform(byte[] nifti1) {
        byte[] out = nifti1.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 348) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        b.putShort(254, (short) 0);
        return out;
    }

    public static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
