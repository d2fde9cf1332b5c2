package dev.meshpipe.mesh.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where each reader puts the grid in world millimetres, and which headers it refuses. */
class ReaderGeometryTest {
    static final VolumeLimits LIMITS = VolumeLimits.defaults();

    static Volume read(byte[] bytes) throws Exception {
        return VolumeReader.read(new ByteArrayInputStream(bytes), LIMITS);
    }

    static String describe(byte[] bytes) throws Exception {
        return VolumeReader.describeHeader(new ByteArrayInputStream(bytes), LIMITS);
    }

    static void refused(byte[] bytes, MeshError code, String... inMessage) {
        for (boolean headerOnly : new boolean[] {false, true}) {
            MeshException e = assertThrows(MeshException.class, () -> {
                if (headerOnly) {
                    describe(bytes);
                } else {
                    read(bytes);
                }
            });
            assertEquals(code, e.code(), e.getMessage());
            for (String s : inMessage) {
                assertTrue(e.getMessage().contains(s), e.getMessage());
            }
        }
    }

    /** The index-to-world affine, whatever split into spacing and grid-to-world a reader chose. */
    static double[] indexToWorld(Volume v) {
        double[] m = v.gridToWorld().clone();
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                m[4 * r + c] *= v.spacing()[c];
            }
        }
        return m;
    }

    /** A 16^3 int16 ball with a mirrored, moved, anisotropic sform, in the given byte order. */
    static byte[] placedBall(ByteOrder order) {
        byte[] le = TestNifti.ball(16, 5);
        short[] values = new short[16 * 16 * 16];
        ByteBuffer.wrap(le, 352, values.length * 2).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(values);
        byte[] ball = TestNifti.int16(16, 16, 16, new double[] {0.5, 1, 2}, values, order);
        ByteBuffer b = ByteBuffer.wrap(ball).order(order);
        b.putFloat(280, -0.5f).putFloat(292, 40f).putFloat(308, -7.25f).putFloat(324, 3.5f);
        return ball;
    }

    @Test
    void nifti2IsReadLikeTheSameVolumeInNifti1() throws Exception {
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            byte[] one = placedBall(order);
            byte[] qform = TestNifti.qformOnly(one, -1, new double[] {1.5, -2, 3});
            for (byte[] n1 : List.of(one, qform)) {
                Volume v1 = read(n1);
                byte[] n2 = TestNifti.toNifti2(n1);
                for (byte[] file : List.of(n2, TestNifti.gzip(n2))) {
                    Volume v2 = read(file);
                    assertTrue(v2.description().startsWith("NIfTI-2 int16 16x16x16"), v2.description());
                    assertArrayEquals(v1.data(), v2.data());
                    assertArrayEquals(v1.spacing(), v2.spacing(), 1e-12);
                    assertArrayEquals(indexToWorld(v1), indexToWorld(v2), 1e-9);
                    assertTrue(describe(file).startsWith("NIfTI-2 int16 16x16x16"), describe(file));
                }
            }
        }
    }

    @Test
    void nifti2HeadersThatCannotBeReadGetTheirCodes() throws Exception {
        byte[] good = TestNifti.toNifti2(TestNifti.ball(8, 3));
        byte[] textMode = good.clone();
        textMode[8] = ' '; // "\r\n" turned into " \n" by a text-mode transfer
        refused(textMode, MeshError.INVALID_VOLUME, "NIfTI-2");
        byte[] pair = good.clone();
        pair[5] = 'i';
        refused(pair, MeshError.UNSUPPORTED_INPUT, "two-file");
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 1L << 40);
        refused(huge, MeshError.VOLUME_TOO_LARGE);
        byte[] fourD = good.clone();
        ByteBuffer.wrap(fourD).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 4).putLong(48, 3);
        refused(fourD, MeshError.UNSUPPORTED_INPUT, "3-D");
        byte[] insideHeader = good.clone();
        ByteBuffer.wrap(insideHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(168, 500);
        refused(insideHeader, MeshError.INVALID_VOLUME, "vox_offset");
        assertEquals(MeshError.INVALID_VOLUME, assertThrows(MeshException.class,
                () -> read(java.util.Arrays.copyOf(good, 400))).code());
        assertEquals(MeshError.INVALID_VOLUME, assertThrows(MeshException.class,
                () -> read(java.util.Arrays.copyOf(good, good.length - 1))).code());
    }

    @Test
    void aValidSformPlacesTheGridWhenPixdimIsNegativeOrZero() throws Exception {
        byte[] ball = placedBall(ByteOrder.LITTLE_ENDIAN);
        double[] expected = indexToWorld(read(ball));
        for (float pixdim : new float[] {-0.5f, 0f, Float.NaN}) {
            byte[] odd = ball.clone();
            ByteBuffer.wrap(odd).order(ByteOrder.LITTLE_ENDIAN).putFloat(80, pixdim);
            Volume v = read(odd);
            assertArrayEquals(expected, indexToWorld(v), 1e-9, "pixdim[1] = " + pixdim);
            assertEquals(0.5, v.spacing()[0], 1e-12);
            Volume two = read(TestNifti.toNifti2(odd));
            assertArrayEquals(expected, indexToWorld(two), 1e-9, "NIfTI-2 with pixdim[1] = " + pixdim);
            // Without an sform nothing else gives the spacing: refused, as nibabel refuses such a qform.
            refused(TestNifti.qformOnly(odd, 1, new double[3]), MeshError.INVALID_VOLUME, "pixdim[1]");
        }
    }

    static byte[] nrrd(String space, String directions, String origin, String more) {
        StringBuilder h = new StringBuilder("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 3 4\nencoding: raw\n");
        if (space != null) {
            h.append(space).append('\n');
        }
        h.append("space directions: ").append(directions).append("\nspace origin: ").append(origin).append('\n');
        if (!more.isEmpty()) {
            h.append(more).append('\n');
        }
        h.append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 24; i++) {
            out.write(i);
        }
        return out.toByteArray();
    }

    /**
     * One grid stated in each anatomical space: RAS directions (0.5,0.1,0) (0,-1,0.2) (0,0,2) and
     * origin (10,20,30), with x negated for LAS and x and y negated for LPS, must come out with
     * the same index-to-RAS affine. Before, LAS was taken for RAS: mirrored in x, 20 mm away.
     */
    @Test
    void everyThreeDimensionalNrrdSpaceIsTurnedIntoRasOrRefused() throws Exception {
        double[] ras = {0.5, 0, 0, 10, 0.1, -1, 0, 20, 0, 0.2, 2, 30, 0, 0, 0, 1};
        String[][] same = {
            {"space: right-anterior-superior", "(0.5,0.1,0) (0,-1,0.2) (0,0,2)", "(10,20,30)"},
            {"space: RAS", "(0.5,0.1,0) (0,-1,0.2) (0,0,2)", "(10,20,30)"},
            {"space: left-anterior-superior", "(-0.5,0.1,0) (0,-1,0.2) (0,0,2)", "(-10,20,30)"},
            {"space: LAS", "(-0.5,0.1,0) (0,-1,0.2) (0,0,2)", "(-10,20,30)"},
            {"space: left-posterior-superior", "(-0.5,-0.1,0) (0,1,0.2) (0,0,2)", "(-10,-20,30)"},
            {"space: lps", "(-0.5,-0.1,0) (0,1,0.2) (0,0,2)", "(-10,-20,30)"},
            {"space: scanner-xyz", "(0.5,0.1,0) (0,-1,0.2) (0,0,2)", "(10,20,30)"},
            {"space: 3D-right-handed", "(0.5,0.1,0) (0,-1,0.2) (0,0,2)", "(10,20,30)"},
            {"space dimension: 3", "(0.5,0.1,0) (0,-1,0.2) (0,0,2)", "(10,20,30)"},
        };
        for (String[] c : same) {
            Volume v = read(nrrd(c[0], c[1], c[2], ""));
            assertArrayEquals(ras, indexToWorld(v), 1e-12, c[0]);
            assertEquals(23f, v.data()[23]);
        }
        for (String[] c : same) {
            assertTrue(describe(nrrd(c[0], c[1], c[2], "")).startsWith("NRRD uint8 2x3x4"), c[0]);
        }
        String dirs = "(1,0,0) (0,1,0) (0,0,1)";
        refused(nrrd("space: 3D-left-handed", dirs, "(0,0,0)", ""), MeshError.UNSUPPORTED_INPUT, "3D-left-handed");
        for (String time : new String[] {"right-anterior-superior-time", "RAST", "LAST", "left-posterior-superior-time",
                "scanner-xyz-time", "3D-right-handed-time", "3D-left-handed-time"}) {
            refused(nrrd("space: " + time, dirs, "(0,0,0)", ""), MeshError.UNSUPPORTED_INPUT, "4-D");
        }
        for (String unknown : new String[] {"RPS", "right-posterior-inferior", "LPI", "patient"}) {
            refused(nrrd("space: " + unknown, dirs, "(0,0,0)", ""), MeshError.UNSUPPORTED_INPUT, unknown, "not one the NRRD format defines");
        }
        refused(nrrd("space dimension: 4", dirs, "(0,0,0)", ""), MeshError.UNSUPPORTED_INPUT, "space dimension");
    }

    @Test
    void theHeaderCheckAcceptsNrrdAndRefusesADetachedHeader() throws Exception {
        byte[] raw = nrrd("space: LPS", "(1,0,0) (0,1,0) (0,0,1)", "(0,0,0)", "");
        assertTrue(describe(raw).startsWith("NRRD uint8 2x3x4, raw encoding, space lps"), describe(raw));
        assertTrue(describe(TestNifti.gzip(raw)).startsWith("NRRD uint8 2x3x4"));
        String header = "NRRD0004\ntype: short\ndimension: 3\nsizes: 40 40 40\nendian: little\nencoding: gzip\n\n";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        gz.writeBytes(TestNifti.gzip(new byte[40 * 40 * 40 * 2]));
        assertEquals("NRRD int16 40x40x40, gzip encoding", describe(gz.toByteArray()));
        byte[] detached = ("NRRD0004\ntype: short\ndimension: 3\nsizes: 40 40 40\nendian: little\nencoding: raw\n"
                + "data file: ball.raw\n").getBytes(StandardCharsets.US_ASCII);
        refused(detached, MeshError.UNSUPPORTED_INPUT, "detached");
        refused(TestNifti.gzip(detached), MeshError.UNSUPPORTED_INPUT, "detached");
        // The header check is the whole header's check: a field the reader refuses is refused up front.
        refused(nrrd(null, "(1,0,0) (0,1,0) (0,0,1)", "(0,0,0)", "encoding: bzip2"), MeshError.UNSUPPORTED_INPUT, "bzip2");
        refused("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 100000 100000 100000\nencoding: raw\n\n".getBytes(StandardCharsets.US_ASCII),
                MeshError.VOLUME_TOO_LARGE);
    }
}
