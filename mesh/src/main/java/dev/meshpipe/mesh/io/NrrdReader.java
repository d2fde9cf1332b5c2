package dev.meshpipe.mesh.io;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * NRRD volumes with attached data, raw or gzip encoding, 3 dimensions. Placement comes from
 * {@code space directions} and {@code space origin} (else {@code spacings}); the anatomical
 * spaces (RAS, LAS, LPS) are turned into RAS so world coordinates agree with NIfTI's, the
 * non-anatomical right-handed ones are kept as given, and the rest are refused (see
 * {@link #worldFlip}).
 */
public final class NrrdReader {
    static final int MAX_HEADER_BYTES = 64 * 1024;

    private NrrdReader() {}

    /** A checked header: everything needed to read the samples and place them. */
    record Header(int nx, int ny, int nz, SampleType type, ByteOrder order, String encoding, long byteSkip, double[] spacing,
                  double[] gridToWorld, String space) {
        String describe() {
            return String.format(Locale.ROOT, "NRRD %s %dx%dx%d, %s encoding%s", type.label(), nx, ny, nz, encoding,
                    space.isEmpty() ? "" : ", space " + space);
        }
    }

    /** Reads and checks the header only, leaving {@code in} at the start of the data. */
    static Header readHeader(InputStream in, VolumeLimits limits) throws IOException {
        return parse(header(in), limits);
    }

    static Volume read(InputStream in, VolumeLimits limits) throws IOException {
        Header h = readHeader(in, limits);
        InputStream data = switch (h.encoding()) {
            case "raw" -> in;
            default -> new LimitedInputStream(new GZIPInputStream(in, 1 << 16), limits.maxDecompressedBytes(), "decompressed NRRD data");
        };
        long skip = h.byteSkip();
        if (skip > 0 && data.readNBytes((int) skip).length < skip) {
            throw invalid("truncated before the data (byte skip " + skip + ")");
        }
        float[] samples = SampleReader.read(data, h.nx() * h.ny() * h.nz(), h.type(), h.order(), "NRRD");
        return new Volume(h.nx(), h.ny(), h.nz(), samples, h.spacing(), h.gridToWorld(), true, Double.NaN, h.describe());
    }

    static Header parse(Map<String, String> f, VolumeLimits limits) {
        if (f.containsKey("data file") || f.containsKey("datafile")) {
            throw new MeshException(MeshError.UNSUPPORTED_INPUT,
                    "detached-header NRRD (.nhdr with 'data file') is not supported; save it as one .nrrd with the data attached");
        }
        int dimension = parseInt(f, "dimension");
        if (dimension != 3) {
            throw new MeshException(MeshError.UNSUPPORTED_INPUT, "only 3-D NRRD volumes are supported (dimension: " + dimension + ")");
        }
        String[] sizes = words(require(f, "sizes"));
        if (sizes.length != 3) {
            throw invalid("'sizes' must have 3 values");
        }
        long nx = parseLong(sizes[0], "sizes");
        long ny = parseLong(sizes[1], "sizes");
        long nz = parseLong(sizes[2], "sizes");
        SampleReader.checkVoxels(nx, ny, nz, limits.maxVoxels(), "NRRD");
        SampleType type = type(require(f, "type"));
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (type.bytes() > 1) {
            String endian = require(f, "endian").toLowerCase(Locale.ROOT);
            order = switch (endian) {
                case "little" -> ByteOrder.LITTLE_ENDIAN;
                case "big" -> ByteOrder.BIG_ENDIAN;
                default -> throw invalid("endian must be little or big");
            };
        }
        String encoding = require(f, "encoding").toLowerCase(Locale.ROOT);
        encoding = switch (encoding) {
            case "raw" -> "raw";
            case "gzip", "gz" -> "gzip";
            default -> throw new MeshException(MeshError.UNSUPPORTED_INPUT, "NRRD encoding '" + abbreviate(encoding) + "' is not supported (raw, gzip are)");
        };
        long skip = f.containsKey("byte skip") ? parseLong(f.get("byte skip"), "byte skip") : 0;
        if (skip < 0 || skip > NiftiReader.MAX_VOX_OFFSET) {
            throw invalid("byte skip must be between 0 and " + NiftiReader.MAX_VOX_OFFSET);
        }
        String space = f.getOrDefault("space", "");
        double[] flip = worldFlip(space, f.get("space dimension"));
        double[][] dirs = new double[3][3];
        double[] spacing = new double[3];
        double[] origin = new double[3];
        if (f.containsKey("space directions")) {
            dirs = vectors(f.get("space directions"), 3);
            for (int a = 0; a < 3; a++) {
                spacing[a] = Math.sqrt(dirs[a][0] * dirs[a][0] + dirs[a][1] * dirs[a][1] + dirs[a][2] * dirs[a][2]);
            }
            if (f.containsKey("space origin")) {
                origin = vectors(f.get("space origin"), 1)[0];
            }
        } else {
            String[] sp = f.containsKey("spacings") ? words(f.get("spacings")) : new String[] {"1", "1", "1"};
            if (sp.length != 3) {
                throw invalid("'spacings' must have 3 values");
            }
            for (int a = 0; a < 3; a++) {
                spacing[a] = parseDouble(sp[a], "spacings");
                dirs[a][a] = spacing[a];
            }
        }
        for (int a = 0; a < 3; a++) {
            if (!(spacing[a] > 0) || !Double.isFinite(spacing[a])) {
                throw invalid("voxel spacing along axis " + a + " is " + spacing[a] + "; it must be positive and finite");
            }
        }
        // grid space (index * spacing) -> world: column a is dirs[a] / spacing[a], each world row turned into RAS.
        double[] m = new double[16];
        for (int r = 0; r < 3; r++) {
            for (int a = 0; a < 3; a++) {
                m[4 * r + a] = flip[r] * dirs[a][r] / spacing[a];
            }
            m[4 * r + 3] = flip[r] * origin[r];
        }
        m[15] = 1;
        return new Header((int) nx, (int) ny, (int) nz, type, order, encoding, skip, spacing, m, space.toLowerCase(Locale.ROOT));
    }

    /**
     * The sign each world axis of {@code space} takes in RAS. The NRRD format defines twelve
     * spaces: RAS, LAS and LPS are anatomical and turned into RAS; scanner-xyz and 3D-right-handed
     * (and no space at all) are right-handed frames with no anatomical meaning, kept as given.
     * 3D-left-handed would come out mirrored in any right-handed frame, and the -time spaces are
     * 4-D, so those are refused rather than guessed at; so is any name the format does not define.
     */
    static double[] worldFlip(String space, String spaceDimension) {
        if (space.isEmpty()) {
            if (spaceDimension != null && parseLong(spaceDimension, "space dimension") != 3) {
                throw new MeshException(MeshError.UNSUPPORTED_INPUT, "only a 3-D NRRD space is supported (space dimension: "
                        + abbreviate(spaceDimension) + ")");
            }
            return new double[] {1, 1, 1};
        }
        return switch (space.toLowerCase(Locale.ROOT)) {
            case "right-anterior-superior", "ras", "scanner-xyz", "3d-right-handed" -> new double[] {1, 1, 1};
            case "left-anterior-superior", "las" -> new double[] {-1, 1, 1};
            case "left-posterior-superior", "lps" -> new double[] {-1, -1, 1};
            case "3d-left-handed" -> throw new MeshException(MeshError.UNSUPPORTED_INPUT,
                    "NRRD space '3D-left-handed' has no defined right-handed equivalent, so the mesh would be mirrored; "
                    + "resample it into RAS, LAS, LPS or 3D-right-handed");
            case "right-anterior-superior-time", "rast", "left-anterior-superior-time", "last", "left-posterior-superior-time", "lpst",
                 "scanner-xyz-time", "3d-right-handed-time", "3d-left-handed-time" -> throw new MeshException(MeshError.UNSUPPORTED_INPUT,
                    "NRRD space '" + space + "' is 4-D (space and time); only 3-D volumes are supported");
            default -> throw new MeshException(MeshError.UNSUPPORTED_INPUT, "NRRD space '" + abbreviate(space)
                    + "' is not one the NRRD format defines; supported: right-anterior-superior (RAS), left-anterior-superior (LAS), "
                    + "left-posterior-superior (LPS), scanner-xyz, 3D-right-handed");
        };
    }

    /** Reads the header up to its blank line; fields are lower-cased, key/value pairs ignored. */
    static Map<String, String> header(InputStream in) throws IOException {
        Map<String, String> fields = new HashMap<>();
        String magic = line(in);
        if (magic == null || !magic.startsWith("NRRD000")) {
            throw invalid("missing NRRD magic");
        }
        int total = magic.length();
        for (String l; (l = line(in)) != null && !l.isEmpty(); ) {
            total += l.length() + 1;
            if (total > MAX_HEADER_BYTES) {
                throw invalid("header longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (l.startsWith("#") || l.contains(":=")) {
                continue;
            }
            int colon = l.indexOf(": ");
            if (colon < 0) {
                throw invalid("malformed header line '" + abbreviate(l) + "'");
            }
            fields.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 2).trim());
        }
        return fields;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
            if (b.size() > MAX_HEADER_BYTES) {
                throw invalid("header line too long");
            }
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    static SampleType type(String t) {
        return switch (t.toLowerCase(Locale.ROOT).replace("_t", "")) {
            case "uchar", "unsigned char", "uint8" -> SampleType.UINT8;
            case "signed char", "int8" -> SampleType.INT8;
            case "short", "short int", "signed short", "signed short int", "int16" -> SampleType.INT16;
            case "ushort", "unsigned short", "unsigned short int", "uint16" -> SampleType.UINT16;
            case "int", "signed int", "int32" -> SampleType.INT32;
            case "uint", "unsigned int", "uint32" -> SampleType.UINT32;
            case "float" -> SampleType.FLOAT32;
            case "double" -> SampleType.FLOAT64;
            default -> throw new MeshException(MeshError.UNSUPPORTED_INPUT, "NRRD type '" + abbreviate(t) + "' is not supported");
        };
    }

    private static double[][] vectors(String s, int count) {
        double[][] out = new double[count][];
        String rest = s.trim();
        for (int i = 0; i < count; i++) {
            int open = rest.indexOf('(');
            int close = rest.indexOf(')');
            if (open < 0 || close < open) {
                throw invalid("expected " + count + " vectors like (1,0,0) in '" + abbreviate(s) + "'");
            }
            String[] parts = rest.substring(open + 1, close).split(",");
            if (parts.length != 3) {
                throw invalid("vectors must have 3 components in '" + abbreviate(s) + "'");
            }
            out[i] = new double[] {parseDouble(parts[0], "vector"), parseDouble(parts[1], "vector"), parseDouble(parts[2], "vector")};
            rest = rest.substring(close + 1);
        }
        return out;
    }

    private static String require(Map<String, String> f, String key) {
        String v = f.get(key);
        if (v == null) {
            throw invalid("missing field '" + key + "'");
        }
        return v;
    }

    private static String[] words(String s) {
        return s.trim().split("\\s+");
    }

    private static int parseInt(Map<String, String> f, String key) {
        return (int) parseLong(require(f, key), key);
    }

    private static long parseLong(String s, String what) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw invalid("'" + what + "' is not an integer: " + abbreviate(s));
        }
    }

    private static double parseDouble(String s, String what) {
        try {
            double v = Double.parseDouble(s.trim());
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw invalid("'" + what + "' is not a finite number: " + abbreviate(s));
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    private static MeshException invalid(String why) {
        return new MeshException(MeshError.INVALID_VOLUME, "invalid NRRD: " + why);
    }
}
