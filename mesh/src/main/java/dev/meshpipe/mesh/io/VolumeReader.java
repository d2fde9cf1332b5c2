package dev.meshpipe.mesh.io;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reads a volume from bytes, recognising the format by content rather than by name. */
public final class VolumeReader {
    private VolumeReader() {}

    /** Reads a file, or a synthetic spec such as {@code sphere:128:50}. */
    public static Volume read(String fileOrSpec, VolumeLimits limits) throws IOException {
        if (SyntheticVolumes.isSpec(fileOrSpec)) {
            return SyntheticVolumes.create(fileOrSpec, limits);
        }
        Path p = Path.of(fileOrSpec);
        if (!Files.isRegularFile(p)) {
            throw new MeshpipeException(ErrorCode.INPUT_NOT_FOUND, "no such file: " + fileOrSpec);
        }
        try (InputStream in = Files.newInputStream(p)) {
            return read(in, limits);
        }
    }

    public static Volume read(InputStream raw, VolumeLimits limits) throws IOException {
        try {
            return readFormat(raw, limits);
        } catch (java.io.EOFException | ZipException e) {
            throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "truncated or corrupt compressed data: " + e.getMessage());
        }
    }

    private static Volume readFormat(InputStream raw, VolumeLimits limits) throws IOException {
        InputStream in = decompressIfGzip(raw, limits);
        byte[] magic = peek(in, 4);
        if (NiftiReader.looksLikeNifti(peek(in, 348))) {
            return NiftiReader.read(in, limits);
        }
        if (magic.length == 4 && magic[0] == 'N' && magic[1] == 'R' && magic[2] == 'R' && magic[3] == 'D') {
            throw new MeshpipeException(ErrorCode.UNSUPPORTED_INPUT, "NRRD input is not supported yet");
        }
        throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "not a NIfTI-1 volume (no valid 348-byte header)");
    }

    /** Reads and checks only the header; the gateway and ingest use this to reject bad uploads early. */
    public static String describeHeader(InputStream raw, VolumeLimits limits) throws IOException {
        InputStream in = decompressIfGzip(raw, limits);
        byte[] head = peek(in, 348);
        if (NiftiReader.looksLikeNifti(head)) {
            return NiftiReader.parseHeader(head, limits).describe();
        }
        throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "not a NIfTI-1 volume (no valid 348-byte header)");
    }

    static InputStream decompressIfGzip(InputStream raw, VolumeLimits limits) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, 1 << 16);
        byte[] magic = peek(in, 2);
        if (magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            try {
                InputStream gz = new GZIPInputStream(in, 1 << 16);
                return new BufferedInputStream(new LimitedInputStream(gz, limits.maxDecompressedBytes(), "decompressed input"), 1 << 16);
            } catch (ZipException e) {
                throw new MeshpipeException(ErrorCode.INVALID_VOLUME, "corrupt gzip data: " + e.getMessage());
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
