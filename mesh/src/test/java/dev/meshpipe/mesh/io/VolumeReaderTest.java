package dev.meshpipe.mesh.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VolumeReaderTest {
    static final VolumeLimits LIMITS = VolumeLimits.defaults();

    static Volume read(byte[] bytes) throws Exception {
        return VolumeReader.read(new ByteArrayInputStream(bytes), LIMITS);
    }

    static MeshException fails(byte[] bytes, MeshError code) {
        MeshException e = assertThrows(MeshException.class, () -> read(bytes));
        assertEquals(code, e.code(), e.getMessage());
        return e;
    }

    /** A 2x2x2 volume of the given type with values 0..7 and both byte orders. */
    static byte[] typed(int datatype, int bitpix, ByteOrder order, double slope, double inter) {
        ByteBuffer h = TestNifti.header(2, 2, 2, new double[] {1, 1, 1}, datatype, bitpix, order);
        h.putFloat(112, (float) slope);
        h.putFloat(116, (float) inter);
        ByteBuffer d = ByteBuffer.allocate(8 * bitpix / 8).order(order);
        for (int i = 0; i < 8; i++) {
            switch (datatype) {
                case 2, 256 -> d.put((byte) i);
                case 4, 512 -> d.putShort((short) i);
                case 8, 768 -> d.putInt(i);
                case 16 -> d.putFloat(i);
                case 64 -> d.putDouble(i);
                default -> throw new IllegalArgumentException();
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.array());
        out.writeBytes(d.array());
        return out.toByteArray();
    }

    @Test
    void everyDatatypeInEitherByteOrderWithScaling() throws Exception {
        int[][] types = {{2, 8}, {256, 8}, {4, 16}, {512, 16}, {8, 32}, {768, 32}, {16, 32}, {64, 64}};
        for (int[] t : types) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                Volume v = read(typed(t[0], t[1], order, 2, 10));
                assertArrayEquals(new float[] {10, 12, 14, 16, 18, 20, 22, 24}, v.data(), "datatype " + t[0] + " " + order);
                Volume gz = read(TestNifti.gzip(typed(t[0], t[1], order, 0, 0)));
                assertEquals(7f, gz.data()[7]);
            }
        }
    }

    @Test
    void negativeDeterminantKeepsNormalsOutward() throws Exception {
        byte[] ball = TestNifti.ball(16, 5);
        ByteBuffer b = ByteBuffer.wrap(ball).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(280, -1f); // mirror x in the sform
        b.putFloat(292, 40f); // and move it
        Volume v = read(ball);
        Mesh world = MarchingCubes.extract(v, 50, true, 1).transformed(v.gridToWorld());
        MeshQuality q = MeshQuality.of(world);
        assertTrue(q.watertight());
        assertTrue(MeshQuality.signedVolume(world) > 0, "mirrored mesh faces inward");
        assertTrue(q.boundingBoxMax()[0] <= 40 && q.boundingBoxMin()[0] >= 40 - 16);
    }

    @Test
    void nrrdRawAndGzipWithSpaceDirections() throws Exception {
        for (String encoding : new String[] {"raw", "gzip"}) {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            ByteBuffer d = ByteBuffer.allocate(8 * 2).order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < 8; i++) {
                d.putShort((short) (i * 3));
            }
            byte[] payload = encoding.equals("gzip") ? TestNifti.gzip(d.array()) : d.array();
            String header = "NRRD0004\n# made by a test\ntype: short\ndimension: 3\nspace: left-posterior-superior\n"
                    + "sizes: 2 2 2\nspace directions: (0.5,0,0) (0,0.5,0) (0,0,2)\nspace origin: (10,20,30)\n"
                    + "endian: big\nencoding: " + encoding + "\n\n";
            data.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
            data.writeBytes(payload);
            Volume v = read(data.toByteArray());
            assertEquals(21f, v.data()[7]);
            assertArrayEquals(new double[] {0.5, 0.5, 2}, v.spacing());
            // LPS (10,20,30) is RAS (-10,-20,30); grid x grows toward -x in RAS.
            assertEquals(-10, v.gridToWorld()[3], 1e-9);
            assertEquals(-20, v.gridToWorld()[7], 1e-9);
            assertEquals(30, v.gridToWorld()[11], 1e-9);
            assertEquals(-1, v.gridToWorld()[0], 1e-9);
        }
    }

    @Test
    void rawArraysWithAGivenLayout() throws Exception {
        ByteBuffer d = ByteBuffer.allocate(8 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            d.putFloat(i / 2f);
        }
        Volume v = VolumeReader.readRaw(new ByteArrayInputStream(d.array()), VolumeReader.RawLayout.parse("2x2x2", "float32", "1x1x3"), LIMITS);
        assertEquals(3.5f, v.data()[7]);
        assertEquals(3, v.spacing()[2]);
        MeshException tooLong = assertThrows(MeshException.class, () -> VolumeReader.readRaw(
                new ByteArrayInputStream(new byte[33]), VolumeReader.RawLayout.parse("2x2x2", "float32", null), LIMITS));
        assertEquals(MeshError.INVALID_VOLUME, tooLong.code());
        assertEquals(MeshError.INVALID_PARAMETER, assertThrows(MeshException.class,
                () -> VolumeReader.RawLayout.parse("2x2", "float32", null)).code());
    }

    @Test
    void badInputsGetTheirDocumentedErrors() throws Exception {
        byte[] ball = TestNifti.ball(8, 3);
        // truncated data, and truncated header
        fails(java.util.Arrays.copyOf(ball, ball.length - 10), MeshError.INVALID_VOLUME);
        fails(java.util.Arrays.copyOf(ball, 200), MeshError.INVALID_VOLUME);
        // dims that overflow the voxel limit
        byte[] huge = ball.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putShort(42, (short) 32767).putShort(44, (short) 32767).putShort(46, (short) 32767);
        assertTrue(fails(huge, MeshError.VOLUME_TOO_LARGE).getMessage().contains("voxels"));
        // zero and negative spacing, with no sform to place the grid instead
        byte[] flat = ball.clone();
        ByteBuffer.wrap(flat).order(ByteOrder.LITTLE_ENDIAN).putFloat(84, 0f).putShort(254, (short) 0);
        fails(flat, MeshError.INVALID_VOLUME);
        ByteBuffer.wrap(flat).order(ByteOrder.LITTLE_ENDIAN).putFloat(84, -1f);
        fails(flat, MeshError.INVALID_VOLUME);
        // unsupported datatype (complex64) and 4-D
        byte[] complex = ball.clone();
        ByteBuffer.wrap(complex).order(ByteOrder.LITTLE_ENDIAN).putShort(70, (short) 32).putShort(72, (short) 64);
        fails(complex, MeshError.UNSUPPORTED_INPUT);
        byte[] fourD = ball.clone();
        ByteBuffer.wrap(fourD).order(ByteOrder.LITTLE_ENDIAN).putShort(40, (short) 4).putShort(48, (short) 3);
        fails(fourD, MeshError.UNSUPPORTED_INPUT);
        // not a volume at all, empty, and garbage NRRD
        fails("hello world".getBytes(StandardCharsets.UTF_8), MeshError.INVALID_VOLUME);
        fails(new byte[0], MeshError.INVALID_VOLUME);
        fails("NRRD0004\nsizes: 2 2\n\n".getBytes(StandardCharsets.US_ASCII), MeshError.INVALID_VOLUME);
        // a truncated gzip stream
        byte[] gz = TestNifti.gzip(ball);
        fails(java.util.Arrays.copyOf(gz, gz.length / 2), MeshError.INVALID_VOLUME);
    }

    @Test
    void aGzipBombCannotInflatePastTheLimit() throws Exception {
        // A header that declares 512^3 int16 (256 MiB) and zeros behind it: a few hundred KB of gzip.
        ByteBuffer h = TestNifti.header(512, 512, 512, new double[] {1, 1, 1}, 4, 16, ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(raw);
        gz.write(h.array());
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < 300; i++) {
            gz.write(zeros);
        }
        gz.close();
        assertTrue(raw.size() < 1 << 20);
        VolumeLimits tight = new VolumeLimits(VolumeLimits.DEFAULT_MAX_VOXELS, 64L << 20);
        MeshException e = assertThrows(MeshException.class, () -> VolumeReader.read(new ByteArrayInputStream(raw.toByteArray()), tight));
        assertEquals(MeshError.VOLUME_TOO_LARGE, e.code());
        VolumeLimits fewVoxels = new VolumeLimits(1_000_000, VolumeLimits.DEFAULT_MAX_DECOMPRESSED);
        assertEquals(MeshError.VOLUME_TOO_LARGE, assertThrows(MeshException.class,
                () -> VolumeReader.read(new ByteArrayInputStream(raw.toByteArray()), fewVoxels)).code());
    }

    @Test
    void syntheticSpecsAreChecked() {
        assertEquals(MeshError.INVALID_PARAMETER, assertThrows(MeshException.class, () -> SyntheticVolumes.validate("sphere:1", LIMITS)).code());
        assertEquals(MeshError.INVALID_PARAMETER, assertThrows(MeshException.class, () -> SyntheticVolumes.validate("sphere:64:-3", LIMITS)).code());
        assertEquals(MeshError.INVALID_PARAMETER, assertThrows(MeshException.class, () -> SyntheticVolumes.validate("cube:64", LIMITS)).code());
        assertEquals(MeshError.VOLUME_TOO_LARGE, assertThrows(MeshException.class,
                () -> SyntheticVolumes.validate("sphere:1000", new VolumeLimits(1000, 1000))).code());
    }

}
