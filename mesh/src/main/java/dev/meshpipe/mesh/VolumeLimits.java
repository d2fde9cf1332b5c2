package dev.meshpipe.mesh;

/**
 * Bounds enforced while reading, so no input can make the reader allocate or inflate without limit.
 * The library reads no environment: a program passes its own limits (meshpipe's services take them
 * from their configuration, docs/configuration.md).
 *
 * @param maxVoxels            most voxels a volume may declare
 * @param maxDecompressedBytes most bytes a compressed input may inflate to (header + data)
 * @param maxFiles             most files a DICOM input (a ZIP or a directory) may hold
 */
public record VolumeLimits(long maxVoxels, long maxDecompressedBytes, int maxFiles) {
    /** 512 Mi voxels (2 GiB as float32): a 512^3 float32 volume fits with room to spare. */
    public static final long DEFAULT_MAX_VOXELS = 512L * 1024 * 1024;
    public static final long DEFAULT_MAX_DECOMPRESSED = 4L * 1024 * 1024 * 1024;
    public static final int DEFAULT_MAX_FILES = 10_000;

    public VolumeLimits {
        if (maxFiles < 1) {
            throw new IllegalArgumentException("maxFiles must be at least 1, got " + maxFiles);
        }
    }

    /** The given voxel and byte bounds with the default file count. */
    public VolumeLimits(long maxVoxels, long maxDecompressedBytes) {
        this(maxVoxels, maxDecompressedBytes, DEFAULT_MAX_FILES);
    }

    public static VolumeLimits defaults() {
        return new VolumeLimits(DEFAULT_MAX_VOXELS, DEFAULT_MAX_DECOMPRESSED, DEFAULT_MAX_FILES);
    }

    public VolumeLimits withMaxFiles(int files) {
        return new VolumeLimits(maxVoxels, maxDecompressedBytes, files);
    }
}
