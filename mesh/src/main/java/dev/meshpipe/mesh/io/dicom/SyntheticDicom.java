package dev.meshpipe.mesh.io.dicom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A small DICOM series written by hand (explicit VR little endian, CT in HU through
 * RescaleIntercept): a ball of bone in soft tissue, one file per slice, zipped. The demo submits it
 * so a DICOM upload is shown without any outside tool.
 */
public final class SyntheticDicom {
    private SyntheticDicom() {}

    /** A ZIP of {@code n} slices of {@code n x n}, 1 mm apart, the ball's radius {@code 0.35 n}. */
    public static byte[] ballSeriesZip(int n) throws IOException {
        return ballSeriesZip(n, 1);
    }

    /**
     * A ZIP of {@code series} such series (numbers 1, 2, ..., each its own UID), so a client must
     * name one: the web page's test of the AMBIGUOUS_SERIES answer uses it.
     */
    public static byte[] ballSeriesZip(int n, int series) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int s = 1; s <= series; s++) {
                for (int k = 0; k < n; k++) {
                    zip.putNextEntry(new ZipEntry(String.format(Locale.ROOT, "%s/IM%04d.dcm", s == 1 ? "ball" : "ball" + s, k + 1)));
                    zip.write(slice(n, k, s));
                    zip.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] slice(int n, int k, int series) {
        Writer w = new Writer();
        w.out.writeBytes(new byte[128]);
        w.out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        w.text(0x0002, 0x0010, "UI", DicomFile.EXPLICIT_LE);
        w.text(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2");
        w.text(0x0008, 0x0060, "CS", "CT");
        w.text(0x0008, 0x103E, "LO", series == 1 ? "meshpipe demo ball" : "meshpipe demo ball " + series);
        w.text(0x0020, 0x000E, "UI", "2.25.123456789012345678" + (8 + series));
        w.text(0x0020, 0x0011, "IS", Integer.toString(series));
        w.text(0x0020, 0x0032, "DS", String.format(Locale.ROOT, "%d\\%d\\%d", -n / 2, -n / 2, k - n / 2));
        w.text(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
        w.us(0x0028, 0x0002, 1);
        w.text(0x0028, 0x0004, "CS", "MONOCHROME2");
        w.us(0x0028, 0x0010, n);
        w.us(0x0028, 0x0011, n);
        w.text(0x0028, 0x0030, "DS", "1\\1");
        w.us(0x0028, 0x0100, 16);
        w.us(0x0028, 0x0101, 16);
        w.us(0x0028, 0x0103, 1);
        w.text(0x0028, 0x1052, "DS", "-1024");
        w.text(0x0028, 0x1053, "DS", "1");
        byte[] px = new byte[2 * n * n];
        double c = (n - 1) / 2.0;
        double r = 0.35 * n;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double d2 = (x - c) * (x - c) + (y - c) * (y - c) + (k - c) * (k - c);
                int hu = d2 < r * r ? 700 : d2 < (r + 4) * (r + 4) ? 40 : -1000;
                int stored = hu + 1024;
                px[2 * (x + n * y)] = (byte) stored;
                px[2 * (x + n * y) + 1] = (byte) (stored >> 8);
            }
        }
        w.header(0x7FE0, 0x0010, "OW");
        w.int32(px.length);
        w.out.writeBytes(px);
        return w.out.toByteArray();
    }

    private static final class Writer {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void text(int group, int element, String vr, String value) {
            String v = value.length() % 2 == 0 ? value : value + (vr.equals("UI") ? "\0" : " ");
            header(group, element, vr);
            short16(v.length());
            out.writeBytes(v.getBytes(StandardCharsets.US_ASCII));
        }

        void us(int group, int element, int value) {
            header(group, element, "US");
            short16(2);
            short16(value);
        }

        void header(int group, int element, String vr) {
            short16(group);
            short16(element);
            out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            if (vr.equals("OW")) {
                short16(0);
            }
        }

        void short16(int v) {
            out.write(v & 0xff);
            out.write(v >> 8 & 0xff);
        }

        void int32(int v) {
            short16(v & 0xffff);
            short16(v >>> 16);
        }
    }
}
