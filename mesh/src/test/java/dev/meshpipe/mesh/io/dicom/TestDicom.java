package dev.meshpipe.mesh.io.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes small explicit VR little endian Part 10 files by hand, for tests that need no Python. */
public final class TestDicom {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static final String EXPLICIT_LE = DicomFile.EXPLICIT_LE;

    private TestDicom() {}

    /** A ZIP holding the given files as s/IM0, s/IM1, ... */
    public static byte[] zip(java.util.List<byte[]> files) throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(bytes)) {
            int i = 0;
            for (byte[] f : files) {
                z.putNextEntry(new java.util.zip.ZipEntry("s/IM" + i++));
                z.write(f);
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** A 4x3 uint16 axial slice at z, in series {@code uid}; values rise with x. */
    public static byte[] slice(String uid, double z, String transferSyntax) {
        TestDicom d = new TestDicom();
        d.out.writeBytes(new byte[128]);
        d.out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        d.text(0x0002, 0x0010, "UI", transferSyntax);
        d.text(0x0008, 0x0060, "CS", "MR");
        d.text(0x0020, 0x000E, "UI", uid);
        d.text(0x0020, 0x0011, "IS", "1");
        d.text(0x0020, 0x0032, "DS", "0\\0\\" + z);
        d.text(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
        d.us(0x0028, 0x0002, 1);
        d.us(0x0028, 0x0010, 3);
        d.us(0x0028, 0x0011, 4);
        d.text(0x0028, 0x0030, "DS", "1\\1");
        d.us(0x0028, 0x0100, 16);
        d.us(0x0028, 0x0101, 16);
        d.us(0x0028, 0x0103, 0);
        byte[] px = new byte[24];
        for (int i = 0; i < 12; i++) {
            px[2 * i] = (byte) (i % 4 * 10);
        }
        d.header(0x7FE0, 0x0010, "OW");
        d.int32(px.length);
        d.out.writeBytes(px);
        return d.out.toByteArray();
    }

    private void text(int group, int element, String vr, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        if (v.length % 2 == 1) {
            v = (value + (vr.equals("UI") ? "\0" : " ")).getBytes(StandardCharsets.US_ASCII);
        }
        header(group, element, vr);
        short16(v.length);
        out.writeBytes(v);
    }

    private void us(int group, int element, int value) {
        header(group, element, "US");
        short16(2);
        short16(value);
    }

    private void header(int group, int element, String vr) {
        short16(group);
        short16(element);
        out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
        if (vr.equals("OW") || vr.equals("OB") || vr.equals("SQ")) {
            short16(0);
        }
    }

    private void short16(int v) {
        out.write(v & 0xff);
        out.write(v >> 8 & 0xff);
    }

    private void int32(int v) {
        short16(v & 0xffff);
        short16(v >>> 16);
    }
}
