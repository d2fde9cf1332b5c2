package dev.meshpipe.mesh;

/**
 * Bounds enforced while reading, so no input can make the reader allocate or inflate without limit.
 *
 * @param maxVoxels           most voxels a volume may declare
 * @param maxDecompressedBytes most bytes a compressed input may inflate to (header + data)
 */
public record VolumeLimits(long maxVoxels, long maxDecompressedBytes) {
    /** 512 Mi voxels (2 GiB as float32): a 512^3 float32 volume fits with room to spare. */
    public static final long DEFAULT_MAX_VOXELS = 512L * 1024 * 1024;
    public static final long DEFAULT_MAX_DECOMPRESSED = 4L * 1024 * 1024 * 1024;

    public static VolumeLimits defaults() {
        return new VolumeLimits(DEFAULT_MAX_VOXELS, DEFAULT_MAX_DECOMPRESSED);
    }
}
