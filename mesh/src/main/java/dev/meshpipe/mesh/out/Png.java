package dev.meshpipe.mesh.out;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * An 8-bit RGB PNG of a {@code TYPE_INT_RGB} image, each row filtered "Up" and deflated at the
 * fastest level. ImageIO's writer tries every filter on every row at a higher level: on a preview
 * that took as long as rendering it, for a file about as small (the previews are smooth
 * gradients and shading, which "Up" reduces to near zeros).
 */
final class Png {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private Png() {}

    static void write(BufferedImage img, OutputStream out) throws IOException {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = img.getType() == BufferedImage.TYPE_INT_RGB
                ? ((DataBufferInt) img.getRaster().getDataBuffer()).getData()
                : img.getRGB(0, 0, w, h, null, 0, w);
        ByteArrayOutputStream idat = new ByteArrayOutputStream(w * h);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
            byte[] row = new byte[1 + 3 * w];
            row[0] = 2; // filter type Up: each byte minus the one above it
            byte[] prev = new byte[3 * w];
            byte[] cur = new byte[3 * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = px[y * w + x];
                    cur[3 * x] = (byte) (p >> 16);
                    cur[3 * x + 1] = (byte) (p >> 8);
                    cur[3 * x + 2] = (byte) p;
                }
                for (int i = 0; i < cur.length; i++) {
                    row[1 + i] = (byte) (cur[i] - prev[i]);
                }
                z.write(row);
                byte[] t = prev;
                prev = cur;
                cur = t;
            }
        } finally {
            deflater.end();
        }
        DataOutputStream d = new DataOutputStream(out);
        d.write(SIGNATURE);
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream(13);
        DataOutputStream hd = new DataOutputStream(ihdr);
        hd.writeInt(w);
        hd.writeInt(h);
        hd.writeByte(8); // bit depth
        hd.writeByte(2); // colour type: RGB
        hd.writeByte(0); // deflate
        hd.writeByte(0); // adaptive filtering (a filter byte per row)
        hd.writeByte(0); // not interlaced
        chunk(d, "IHDR", ihdr.toByteArray());
        chunk(d, "IDAT", idat.toByteArray());
        chunk(d, "IEND", new byte[0]);
        d.flush();
    }

    private static void chunk(DataOutputStream d, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        d.writeInt((int) crc.getValue());
    }
}
