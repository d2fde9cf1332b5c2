package dev.meshpipe.mesh;

/**
 * Why the library refused a volume or a setting. A program can switch on these; meshpipe's
 * pipeline reports each under the error code of the same name, so they are never renamed.
 */
public enum MeshError {
    /** A setting is out of range or malformed (an isovalue outside the data, a bad spec). */
    INVALID_PARAMETER,
    /** The input is no format the readers know. */
    UNSUPPORTED_INPUT,
    /** The input claims a known format but its header or data are broken. */
    INVALID_VOLUME,
    /** The volume or its surface exceeds a limit ({@link VolumeLimits}, a mesh's index range). */
    VOLUME_TOO_LARGE,
    /** The named file or directory does not exist. */
    INPUT_NOT_FOUND,
    /** Extraction or finishing failed in a way no input should cause. */
    MESHING_FAILED,
    /** The GPU failed, or was asked for where there is none. */
    GPU_ERROR,
    // DICOM series
    UNSUPPORTED_TRANSFER_SYNTAX,
    AMBIGUOUS_SERIES,
    NO_IMAGE_SERIES,
    NOT_A_VOLUME,
    IRREGULAR_SLICE_SPACING,
    MISSING_SLICES,
    GANTRY_TILT,
    INCONSISTENT_SERIES,
    UNSUPPORTED_MULTIFRAME,
    /** A DICOM input holds more files than {@link VolumeLimits#maxFiles()}. */
    TOO_MANY_FILES
}
