package dev.meshpipe.mesh.io;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads exactly {@code n} samples into floats, in bounded chunks; too few bytes is INVALID_VOLUME. */
final class SampleReader {
    private SampleReader() {}

    static float[] read(InputStream in, int n, SampleType type, ByteOrder order, String format) throws IOException {
        float[] data = new float[n];
        int bpv = type.bytes();
        byte[] buf = new byte[1 << 20];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(order);
        int done = 0;
        while (done < n) {
            int want = (int) Math.min((long) (n - done) * bpv, buf.length);
            int got = in.readNBytes(buf, 0, want);
            if (got < want) {
                long have = (long) done * bpv + got;
                throw new MeshException(MeshError.INVALID_VOLUME, "invalid " + format + ": truncated voxel data: expected "
                        + (long) n * bpv + " bytes, found " + have);
            }
            type.convert(bb, data, done, want / bpv);
            done += want / bpv;
        }
        return data;
    }

    static void checkVoxels(long nx, long ny, long nz, long maxVoxels, String format) {
        if (nx < 1 || ny < 1 || nz < 1) {
            throw new MeshException(MeshError.INVALID_VOLUME, "invalid " + format + ": sizes must be at least 1");
        }
        if (nx > Integer.MAX_VALUE || ny > Integer.MAX_VALUE || nz > Integer.MAX_VALUE) {
            throw new MeshException(MeshError.VOLUME_TOO_LARGE, format + " sizes overflow");
        }
        // Multiply with overflow checks: declared sizes are untrusted.
        long voxels;
        try {
            voxels = Math.multiplyExact(Math.multiplyExact(nx, ny), nz);
        } catch (ArithmeticException e) {
            throw new MeshException(MeshError.VOLUME_TOO_LARGE, format + " sizes " + nx + "x" + ny + "x" + nz + " overflow");
        }
        long limit = Math.min(maxVoxels, Integer.MAX_VALUE - 8);
        if (voxels > limit) {
            throw new MeshException(MeshError.VOLUME_TOO_LARGE, "volume of " + nx + "x" + ny + "x" + nz + " = " + voxels
                    + " voxels exceeds the limit of " + limit + " voxels");
        }
    }
}
