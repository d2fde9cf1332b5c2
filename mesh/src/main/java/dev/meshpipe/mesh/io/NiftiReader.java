package dev.meshpipe.mesh.io;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * NIfTI-1 single-file volumes ({@code .nii}, gzip handled by {@link VolumeReader}). Applies
 * scl_slope/scl_inter and places the grid in world millimetres through the sform, else the qform,
 * else plain pixdim scaling.
 */
public final class NiftiReader {
    static final int HEADER_SIZE = 348;
    /** Header extensions beyond this are refused rather than skipped. */
    static final int MAX_VOX_OFFSET = 16 << 20;

    private NiftiReader() {}

    /** The header fields meshpipe uses. */
    public record Header(ByteOrder order, int nx, int ny, int nz, int datatype, int bitpix, long voxOffset,
                         double[] spacing, double slope, double inter, double[] gridToWorld, String transformSource) {

        public long voxels() {
            return (long) nx * ny * nz;
        }

        public String describe() {
            return String.format(Locale.ROOT, "NIfTI-1 %s %dx%dx%d, spacing %sx%sx%s mm, %s", typeName(datatype), nx, ny, nz,
                    num(spacing[0]), num(spacing[1]), num(spacing[2]), transformSource);
        }
    }

    static boolean looksLikeNifti(byte[] head) {
        if (head.length < HEADER_SIZE) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        int le = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        int be = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
        return le == HEADER_SIZE || be == HEADER_SIZE;
    }

    static Header parseHeader(byte[] head, VolumeLimits limits) {
        ByteBuffer b = ByteBuffer.wrap(head);
        b.order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != HEADER_SIZE) {
            b.order(ByteOrder.BIG_ENDIAN);
            if (b.getInt(0) != HEADER_SIZE) {
                throw invalid("sizeof_hdr is not 348");
            }
        }
        String magic = new String(head, 344, 3, java.nio.charset.StandardCharsets.US_ASCII);
        if (magic.equals("ni1")) {
            throw new MeshpipeException(ErrorCode.UNSUPPORTED_INPUT, "two-file NIfTI (.hdr/.img) is not supported; use a single .nii or .nii.gz");
        }
        if (!magic.equals("n+1")) {
            throw invalid("magic is not 'n+1' (not a NIfTI-1 file)");
        }
        int ndim = b.getShort(40);
        if (ndim < 1 || ndim > 7) {
            throw invalid("dim[0] = " + ndim + " is outside 1..7");
        }
        int[] dim = new int[8];
        for (int i = 1; i <= 7; i++) {
            dim[i] = i <= ndim ? b.getShort(40 + 2 * i) : 1;
            if (dim[i] < 1) {
                throw invalid("dim[" + i + "] = " + dim[i] + " must be at least 1");
            }
        }
        for (int i = 4; i <= 7; i++) {
            if (dim[i] > 1) {
                throw new MeshpipeException(ErrorCode.UNSUPPORTED_INPUT,
                        "only 3-D volumes are supported; dim[" + i + "] = " + dim[i] + " (extract one volume first)");
            }
        }
        SampleReader.checkVoxels(dim[1], dim[2], dim[3], limits.maxVoxels(), "NIfTI");
        int datatype = b.getShort(70);
        int bitpix = b.getShort(72);
        SampleType type = sampleType(datatype);
        if (type == null) {
            throw new MeshpipeException(ErrorCode.UNSUPPORTED_INPUT, "NIfTI datatype " + datatype + " is not supported "
                    + "(uint8, int8, int16, uint16, int32, uint32, float32, float64 are)");
        }
        if (bitpix != 8 * type.bytes()) {
            throw invalid("bitpix " + bitpix + " does not match datatype " + typeName(datatype));
        }
        double[] spacing = new double[3];
        for (int i = 0; i < 3; i++) {
            spacing[i] = b.getFloat(80 + 4 * i);
            if (!(spacing[i] > 0) || !Double.isFinite(spacing[i])) {
                throw invalid("voxel spacing pixdim[" + (i + 1) + "] = " + spacing[i] + " must be positive and finite");
            }
        }
        float voxOffset = b.getFloat(108);
        if (!(voxOffset >= HEADER_SIZE) || voxOffset > MAX_VOX_OFFSET) {
            throw invalid("vox_offset " + voxOffset + " is not a valid data offset");
        }
        double slope = b.getFloat(112);
        double inter = b.getFloat(116);
        if (!Double.isFinite(slope) || slope == 0) {
            slope = 1;
            inter = 0;
        } else if (!Double.isFinite(inter)) {
            inter = 0;
        }
        int qformCode = b.getShort(252);
        int sformCode = b.getShort(254);
        double[] toWorld;
        String source;
        if (sformCode > 0) {
            double[] s = new double[16];
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    s[4 * r + c] = b.getFloat(280 + 16 * r + 4 * c);
                }
            }
            s[15] = 1;
            toWorld = indexToGrid(s, spacing);
            source = "sform";
        } else if (qformCode > 0) {
            toWorld = qform(b, spacing);
            source = "qform";
        } else {
            toWorld = Volume.identity();
            source = "no orientation (pixdim only)";
        }
        for (double v : toWorld) {
            if (!Double.isFinite(v)) {
                throw invalid("the " + source + " transform is not finite");
            }
        }
        return new Header(b.order(), dim[1], dim[2], dim[3], datatype, bitpix, (long) voxOffset, spacing, slope, inter, toWorld, source);
    }

    static Volume read(InputStream in, VolumeLimits limits) throws IOException {
        byte[] head = in.readNBytes(HEADER_SIZE);
        if (head.length < HEADER_SIZE) {
            throw invalid("truncated header (" + head.length + " of 348 bytes)");
        }
        Header h = parseHeader(head, limits);
        long skip = h.voxOffset() - HEADER_SIZE;
        if (skip > 0 && in.readNBytes((int) Math.min(skip, Integer.MAX_VALUE)).length < skip) {
            throw invalid("truncated before the voxel data (vox_offset " + h.voxOffset() + ")");
        }
        int n = (int) h.voxels();
        float[] data = SampleReader.read(in, n, sampleType(h.datatype()), h.order(), "NIfTI");
        if (h.slope() != 1 || h.inter() != 0) {
            for (int i = 0; i < n; i++) {
                data[i] = (float) (data[i] * h.slope() + h.inter());
            }
        }
        return new Volume(h.nx(), h.ny(), h.nz(), data, h.spacing(), h.gridToWorld(), true, Double.NaN, h.describe());
    }

    /** Turns an index-to-world affine into a grid-space (index * spacing) to world affine. */
    private static double[] indexToGrid(double[] m, double[] spacing) {
        double[] g = m.clone();
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                g[4 * r + c] = m[4 * r + c] / spacing[c];
            }
        }
        return g;
    }

    private static double[] qform(ByteBuffer b, double[] spacing) {
        double qb = b.getFloat(256);
        double qc = b.getFloat(260);
        double qd = b.getFloat(264);
        double qa = 1.0 - (qb * qb + qc * qc + qd * qd);
        if (qa < 1e-7) {
            // NIfTI's rule: a 180-degree rotation; renormalise (b, c, d).
            double norm = Math.sqrt(qb * qb + qc * qc + qd * qd);
            qb /= norm;
            qc /= norm;
            qd /= norm;
            qa = 0;
        } else {
            qa = Math.sqrt(qa);
        }
        double qfac = b.getFloat(76) < 0 ? -1 : 1;
        double[] r = {
            qa * qa + qb * qb - qc * qc - qd * qd, 2 * (qb * qc - qa * qd), 2 * (qb * qd + qa * qc),
            2 * (qb * qc + qa * qd), qa * qa + qc * qc - qb * qb - qd * qd, 2 * (qc * qd - qa * qb),
            2 * (qb * qd - qa * qc), 2 * (qc * qd + qa * qb), qa * qa + qd * qd - qc * qc - qb * qb};
        double[] m = new double[16];
        for (int row = 0; row < 3; row++) {
            m[4 * row] = r[3 * row];
            m[4 * row + 1] = r[3 * row + 1];
            m[4 * row + 2] = r[3 * row + 2] * qfac;
        }
        m[3] = b.getFloat(268);
        m[7] = b.getFloat(272);
        m[11] = b.getFloat(276);
        m[15] = 1;
        return m;
    }

    /** NIfTI datatype codes meshpipe reads; null for the rest (complex, RGB, 64-bit integers...). */
    static SampleType sampleType(int datatype) {
        return switch (datatype) {
            case 2 -> SampleType.UINT8;
            case 256 -> SampleType.INT8;
            case 4 -> SampleType.INT16;
            case 512 -> SampleType.UINT16;
            case 8 -> SampleType.INT32;
            case 768 -> SampleType.UINT32;
            case 16 -> SampleType.FLOAT32;
            case 64 -> SampleType.FLOAT64;
            default -> null;
        };
    }

    static String typeName(int datatype) {
        SampleType t = sampleType(datatype);
        return t == null ? "datatype " + datatype : t.label();
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.4g", v);
    }

    private static MeshpipeException invalid(String why) {
        return new MeshpipeException(ErrorCode.INVALID_VOLUME, "invalid NIfTI: " + why);
    }
}
