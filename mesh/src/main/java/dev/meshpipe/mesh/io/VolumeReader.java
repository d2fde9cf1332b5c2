package dev.meshpipe.mesh.io;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.dicom.DicomSeries;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reads a volume from bytes, recognising the format by content rather than by name. */
public final class VolumeReader {
    /** Enough of the input to recognise any supported format: NIfTI-2's header is the longest fixed one. */
    static final int HEAD_BYTES = NiftiReader.HEADER_SIZE_2;

    private VolumeReader() {}

    /** Reads a file, or a synthetic spec such as {@code sphere:128:50}. */
    public static Volume read(String fileOrSpec, VolumeLimits limits) throws IOException {
        if (SyntheticVolumes.isSpec(fileOrSpec)) {
            return SyntheticVolumes.create(fileOrSpec, limits);
        }
        Path p = Path.of(fileOrSpec);
        if (!Files.isRegularFile(p)) {
            throw new MeshException(MeshError.INPUT_NOT_FOUND, "no such file: " + fileOrSpec);
        }
        try (InputStream in = Files.newInputStream(p)) {
            return read(in, limits);
        }
    }

    public static Volume read(InputStream raw, VolumeLimits limits) throws IOException {
        return read(raw, limits, null);
    }

    /** @param series for a DICOM input holding several series, the SeriesInstanceUID or SeriesNumber to mesh */
    public static Volume read(InputStream raw, VolumeLimits limits, String series) throws IOException {
        try {
            return readFormat(raw, limits, series);
        } catch (java.io.EOFException | ZipException e) {
            throw new MeshException(MeshError.INVALID_VOLUME, "truncated or corrupt compressed data: " + e.getMessage());
        }
    }

    private static Volume readFormat(InputStream raw, VolumeLimits limits, String series) throws IOException {
        InputStream in = decompressIfGzip(raw, limits);
        byte[] head = peek(in, HEAD_BYTES);
        if (NiftiReader.looksLikeNifti(head)) {
            return NiftiReader.read(in, limits);
        }
        if (isNrrd(head)) {
            return NrrdReader.read(in, limits);
        }
        if (DicomSeries.recognises(peek(in, 132))) {
            return DicomSeries.read(in, limits, series);
        }
        throw notAVolume();
    }

    /**
     * Reads a headerless little-endian array, x fastest; the layout is given, not read. The
     * object is where values are at or above the isovalue, and the default isovalue is Otsu's.
     */
    public static Volume readRaw(InputStream raw, RawLayout layout, VolumeLimits limits) throws IOException {
        SampleReader.checkVoxels(layout.nx(), layout.ny(), layout.nz(), limits.maxVoxels(), "raw");
        InputStream in = decompressIfGzip(raw, limits);
        int n = layout.nx() * layout.ny() * layout.nz();
        float[] data = SampleReader.read(in, n, layout.type(), java.nio.ByteOrder.LITTLE_ENDIAN, "raw volume");
        if (in.read() >= 0) {
            throw new MeshException(MeshError.INVALID_VOLUME, "raw volume is longer than " + layout.nx() + "x" + layout.ny()
                    + "x" + layout.nz() + " " + layout.type().label() + " samples");
        }
        return new Volume(layout.nx(), layout.ny(), layout.nz(), data, layout.spacing().clone(), Volume.identity(), true,
                Double.NaN, "raw " + layout.type().label() + " " + layout.nx() + "x" + layout.ny() + "x" + layout.nz());
    }

    /** Dimensions, sample type and spacing of a raw array. */
    public record RawLayout(int nx, int ny, int nz, SampleType type, double[] spacing) {
        public RawLayout {
            for (double s : spacing) {
                if (!(s > 0) || !Double.isFinite(s)) {
                    throw new MeshException(MeshError.INVALID_PARAMETER, "raw spacing must be positive and finite");
                }
            }
        }

        /** Parses {@code 64x64x32}, {@code float32}, {@code 1x1x2.5}. */
        public static RawLayout parse(String dims, String type, String spacing) {
            try {
                String[] d = dims.toLowerCase(java.util.Locale.ROOT).split("x");
                String[] s = spacing == null ? new String[] {"1", "1", "1"} : spacing.toLowerCase(java.util.Locale.ROOT).split("[x,]");
                if (d.length != 3 || s.length != 3) {
                    throw new NumberFormatException();
                }
                return new RawLayout(Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]), SampleType.parse(type),
                        new double[] {Double.parseDouble(s[0]), Double.parseDouble(s[1]), Double.parseDouble(s[2])});
            } catch (IllegalArgumentException e) {
                throw new MeshException(MeshError.INVALID_PARAMETER,
                        "raw layout needs dims like 64x64x32, a type (uint8, int8, int16, uint16, int32, uint32, float32, float64) and spacing like 1x1x1");
            }
        }
    }

    /** True when the input opens with NRRD's magic; {@code head} may be any length. */
    static boolean isNrrd(byte[] head) {
        return head.length >= 4 && head[0] == 'N' && head[1] == 'R' && head[2] == 'R' && head[3] == 'D';
    }

    private static MeshException notAVolume() {
        return new MeshException(MeshError.INVALID_VOLUME, "not a NIfTI-1, NIfTI-2 or NRRD volume (no valid header)");
    }

    /** Reads and checks only the header; the gateway and ingest use this to reject bad uploads early. */
    public static String describeHeader(InputStream raw, VolumeLimits limits) throws IOException {
        InputStream in = decompressIfGzip(raw, limits);
        byte[] head = peek(in, HEAD_BYTES);
        if (NiftiReader.looksLikeNifti(head)) {
            return NiftiReader.parseHeader(head, limits).describe();
        }
        if (isNrrd(head)) {
            return NrrdReader.readHeader(in, limits).describe();
        }
        if (DicomSeries.recognises(peek(in, 132))) {
            return DicomSeries.describeHead(peek(in, 132));
        }
        throw notAVolume();
    }

    static InputStream decompressIfGzip(InputStream raw, VolumeLimits limits) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, 1 << 16);
        byte[] magic = peek(in, 2);
        if (magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            try {
                InputStream gz = new GZIPInputStream(in, 1 << 16);
                return new BufferedInputStream(new LimitedInputStream(gz, limits.maxDecompressedBytes(), "decompressed input"), 1 << 16);
            } catch (ZipException e) {
                throw new MeshException(MeshError.INVALID_VOLUME, "corrupt gzip data: " + e.getMessage());
            }
        }
        return in;
    }

    static byte[] peek(InputStream in, int n) throws IOException {
        in.mark(n);
        byte[] b = in.readNBytes(n);
        in.reset();
        return b;
    }
}
