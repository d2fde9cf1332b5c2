package dev.meshpipe.mesh.io;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * NIfTI-1 and NIfTI-2 single-file volumes ({@code .nii}, gzip handled by {@link VolumeReader}).
 * Both versions hold the same fields at different offsets and widths (NIfTI-2: a 540-byte header,
 * 64-bit dims and offset, float64 pixdim and transforms), so each is read into {@link Fields} and
 * checked once. Applies scl_slope/scl_inter and places the grid in world millimetres through the
 * sform, else the qform, else plain pixdim scaling.
 */
public final class NiftiReader {
    static final int HEADER_SIZE = 348;
    static final int HEADER_SIZE_2 = 540;
    /** NIfTI-2's magic: "n+2" then bytes that expose text-mode and 7-bit transfer damage. */
    private static final byte[] MAGIC_2 = {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'};
    /** Header extensions beyond this are refused rather than skipped. */
    static final int MAX_VOX_OFFSET = 16 << 20;

    private NiftiReader() {}

    /** The header fields meshpipe uses. */
    public record Header(int version, ByteOrder order, int nx, int ny, int nz, int datatype, int bitpix, long voxOffset,
                         double[] spacing, double slope, double inter, double[] gridToWorld, String transformSource) {

        public long voxels() {
            return (long) nx * ny * nz;
        }

        int headerSize() {
            return version == 2 ? HEADER_SIZE_2 : HEADER_SIZE;
        }

        public String describe() {
            return String.format(Locale.ROOT, "NIfTI-%d %s %dx%dx%d, spacing %sx%sx%s mm, %s", version, typeName(datatype), nx, ny, nz,
                    num(spacing[0]), num(spacing[1]), num(spacing[2]), transformSource);
        }
    }

    /** The raw header fields, whichever version they came from. */
    private record Fields(int version, ByteOrder order, long[] dim, int datatype, int bitpix, double[] pixdim, double voxOffset,
                          double slope, double inter, int qformCode, int sformCode, double[] quatern, double[] qoffset, double[] srow) {}

    /** The NIfTI version whose sizeof_hdr (in either byte order) opens {@code head}, or 0. */
    static int version(byte[] head) {
        if (head.length < 4) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        int le = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        int be = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (le == HEADER_SIZE || be == HEADER_SIZE) {
            return 1;
        }
        return le == HEADER_SIZE_2 || be == HEADER_SIZE_2 ? 2 : 0;
    }

    /** True when {@code head} (at least the first 540 bytes, if the input has them) opens a NIfTI header. */
    static boolean looksLikeNifti(byte[] head) {
        int version = version(head);
        return version == 1 && head.length >= HEADER_SIZE || version == 2 && head.length >= HEADER_SIZE_2;
    }

    static Header parseHeader(byte[] head, VolumeLimits limits) {
        int version = version(head);
        if (version == 0) {
            throw invalid("sizeof_hdr is neither 348 (NIfTI-1) nor 540 (NIfTI-2)");
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != (version == 2 ? HEADER_SIZE_2 : HEADER_SIZE)) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        return check(version == 2 ? fields2(head, b) : fields1(head, b), limits);
    }

    private static Fields fields1(byte[] head, ByteBuffer b) {
        String magic = new String(head, 344, 3, java.nio.charset.StandardCharsets.US_ASCII);
        if (magic.equals("ni1")) {
            throw new MeshException(MeshError.UNSUPPORTED_INPUT, "two-file NIfTI (.hdr/.img) is not supported; use a single .nii or .nii.gz");
        }
        if (!magic.equals("n+1")) {
            throw invalid("magic is not 'n+1' (not a NIfTI-1 file)");
        }
        long[] dim = new long[8];
        for (int i = 0; i < 8; i++) {
            dim[i] = b.getShort(40 + 2 * i);
        }
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) {
            pixdim[i] = b.getFloat(76 + 4 * i);
        }
        double[] srow = new double[12];
        for (int i = 0; i < 12; i++) {
            srow[i] = b.getFloat(280 + 4 * i);
        }
        return new Fields(1, b.order(), dim, b.getShort(70), b.getShort(72), pixdim, b.getFloat(108), b.getFloat(112), b.getFloat(116),
                b.getShort(252), b.getShort(254), new double[] {b.getFloat(256), b.getFloat(260), b.getFloat(264)},
                new double[] {b.getFloat(268), b.getFloat(272), b.getFloat(276)}, srow);
    }

    private static Fields fields2(byte[] head, ByteBuffer b) {
        byte[] magic = java.util.Arrays.copyOfRange(head, 4, 12);
        if (magic[0] == 'n' && magic[1] == 'i' && magic[2] == '2') {
            throw new MeshException(MeshError.UNSUPPORTED_INPUT, "two-file NIfTI-2 (.hdr/.img) is not supported; use a single .nii or .nii.gz");
        }
        if (!java.util.Arrays.equals(magic, MAGIC_2)) {
            throw invalid("magic is not 'n+2\\0\\r\\n\\032\\n' (not a NIfTI-2 file, or damaged by a text-mode transfer)");
        }
        long[] dim = new long[8];
        for (int i = 0; i < 8; i++) {
            dim[i] = b.getLong(16 + 8 * i);
        }
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) {
            pixdim[i] = b.getDouble(104 + 8 * i);
        }
        double[] srow = new double[12];
        for (int i = 0; i < 12; i++) {
            srow[i] = b.getDouble(400 + 8 * i);
        }
        return new Fields(2, b.order(), dim, b.getShort(12), b.getShort(14), pixdim, b.getLong(168), b.getDouble(176), b.getDouble(184),
                b.getInt(344), b.getInt(348), new double[] {b.getDouble(352), b.getDouble(360), b.getDouble(368)},
                new double[] {b.getDouble(376), b.getDouble(384), b.getDouble(392)}, srow);
    }

    private static Header check(Fields f, VolumeLimits limits) {
        long ndim = f.dim()[0];
        if (ndim < 1 || ndim > 7) {
            throw invalid("dim[0] = " + ndim + " is outside 1..7");
        }
        long[] dim = new long[8];
        for (int i = 1; i <= 7; i++) {
            dim[i] = i <= ndim ? f.dim()[i] : 1;
            if (dim[i] < 1) {
                throw invalid("dim[" + i + "] = " + dim[i] + " must be at least 1");
            }
        }
        for (int i = 4; i <= 7; i++) {
            if (dim[i] > 1) {
                throw new MeshException(MeshError.UNSUPPORTED_INPUT,
                        "only 3-D volumes are supported; dim[" + i + "] = " + dim[i] + " (extract one volume first)");
            }
        }
        String format = "NIfTI-" + f.version();
        SampleReader.checkVoxels(dim[1], dim[2], dim[3], limits.maxVoxels(), format);
        int datatype = f.datatype();
        SampleType type = sampleType(datatype);
        if (type == null) {
            throw new MeshException(MeshError.UNSUPPORTED_INPUT, "NIfTI datatype " + datatype + " is not supported "
                    + "(uint8, int8, int16, uint16, int32, uint32, float32, float64 are)");
        }
        if (f.bitpix() != 8 * type.bytes()) {
            throw invalid("bitpix " + f.bitpix() + " does not match datatype " + typeName(datatype));
        }
        int headerSize = f.version() == 2 ? HEADER_SIZE_2 : HEADER_SIZE;
        double voxOffset = f.voxOffset();
        if (!(voxOffset >= headerSize) || voxOffset > MAX_VOX_OFFSET) {
            throw invalid("vox_offset " + voxOffset + " is not a valid data offset");
        }
        double slope = f.slope();
        double inter = f.inter();
        if (!Double.isFinite(slope) || slope == 0) {
            slope = 1;
            inter = 0;
        } else if (!Double.isFinite(inter)) {
            inter = 0;
        }
        double[] spacing = new double[3];
        double[] toWorld;
        String source;
        if (f.sformCode() > 0) {
            double[] s = new double[16];
            System.arraycopy(f.srow(), 0, s, 0, 12);
            s[15] = 1;
            requireFinite(s, "sform");
            // As nibabel does, a valid sform places the grid even when pixdim is zero or negative.
            for (int i = 0; i < 3; i++) {
                spacing[i] = validSpacing(f.pixdim()[i + 1]) ? f.pixdim()[i + 1] : columnNorm(s, i);
            }
            requireSpacing(spacing, "the sform's column lengths");
            toWorld = indexToGrid(s, spacing);
            source = "sform";
        } else {
            for (int i = 0; i < 3; i++) {
                spacing[i] = f.pixdim()[i + 1];
            }
            requireSpacing(spacing, "pixdim");
            if (f.qformCode() > 0) {
                toWorld = qform(f);
                source = "qform";
            } else {
                toWorld = Volume.identity();
                source = "no orientation (pixdim only)";
            }
        }
        requireFinite(toWorld, source);
        return new Header(f.version(), f.order(), (int) dim[1], (int) dim[2], (int) dim[3], datatype, f.bitpix(), (long) voxOffset,
                spacing, slope, inter, toWorld, source);
    }

    private static boolean validSpacing(double s) {
        return s > 0 && Double.isFinite(s);
    }

    private static double columnNorm(double[] m, int c) {
        return Math.sqrt(m[c] * m[c] + m[4 + c] * m[4 + c] + m[8 + c] * m[8 + c]);
    }

    private static void requireSpacing(double[] spacing, String from) {
        for (int i = 0; i < 3; i++) {
            if (!validSpacing(spacing[i])) {
                throw invalid("voxel spacing pixdim[" + (i + 1) + "] = " + spacing[i] + " (from " + from + ") must be positive and finite");
            }
        }
    }

    private static void requireFinite(double[] m, String source) {
        for (double v : m) {
            if (!Double.isFinite(v)) {
                throw invalid("the " + source + " transform is not finite");
            }
        }
    }

    static Volume read(InputStream in, VolumeLimits limits) throws IOException {
        byte[] head = in.readNBytes(HEADER_SIZE);
        if (head.length == HEADER_SIZE && version(head) == 2) {
            head = java.util.Arrays.copyOf(head, HEADER_SIZE_2);
            int more = in.readNBytes(head, HEADER_SIZE, HEADER_SIZE_2 - HEADER_SIZE);
            if (more < HEADER_SIZE_2 - HEADER_SIZE) {
                throw invalid("truncated header (" + (HEADER_SIZE + more) + " of 540 bytes)");
            }
        } else if (head.length < HEADER_SIZE) {
            throw invalid("truncated header (" + head.length + " of " + (version(head) == 2 ? HEADER_SIZE_2 : HEADER_SIZE) + " bytes)");
        }
        Header h = parseHeader(head, limits);
        long skip = h.voxOffset() - h.headerSize();
        if (skip > 0 && in.readNBytes((int) Math.min(skip, Integer.MAX_VALUE)).length < skip) {
            throw invalid("truncated before the voxel data (vox_offset " + h.voxOffset() + ")");
        }
        int n = (int) h.voxels();
        float[] data = SampleReader.read(in, n, sampleType(h.datatype()), h.order(), "NIfTI-" + h.version());
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

    private static double[] qform(Fields f) {
        double qb = f.quatern()[0];
        double qc = f.quatern()[1];
        double qd = f.quatern()[2];
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
        double qfac = f.pixdim()[0] < 0 ? -1 : 1;
        double[] r = {
            qa * qa + qb * qb - qc * qc - qd * qd, 2 * (qb * qc - qa * qd), 2 * (qb * qd + qa * qc),
            2 * (qb * qc + qa * qd), qa * qa + qc * qc - qb * qb - qd * qd, 2 * (qc * qd - qa * qb),
            2 * (qb * qd - qa * qc), 2 * (qc * qd + qa * qb), qa * qa + qd * qd - qc * qc - qb * qb};
        double[] m = new double[16];
        for (int row = 0; row < 3; row++) {
            m[4 * row] = r[3 * row];
            m[4 * row + 1] = r[3 * row + 1];
            m[4 * row + 2] = r[3 * row + 2] * qfac;
            m[4 * row + 3] = f.qoffset()[row];
        }
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

    private static MeshException invalid(String why) {
        return new MeshException(MeshError.INVALID_VOLUME, "invalid NIfTI: " + why);
    }
}
