package dev.meshpipe.mesh.io.dicom;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the DICOM reader (Part 10 parsing, the transfer syntaxes, RLE,
 * deflate, ZIP series assembly) with Jazzer, like {@code VolumeReaderFuzzTest}. The seeds in
 * {@code DicomFuzzTestInputs/} are tiny series written by tools/make_dicom_series.py's writer.
 */
class DicomFuzzTest {
    static final VolumeLimits LIMITS = new VolumeLimits(1 << 20, 64L << 20);
    static final Set<ErrorCode> DOCUMENTED = Set.of(ErrorCode.INVALID_VOLUME, ErrorCode.UNSUPPORTED_INPUT, ErrorCode.VOLUME_TOO_LARGE,
            ErrorCode.UNSUPPORTED_TRANSFER_SYNTAX, ErrorCode.AMBIGUOUS_SERIES, ErrorCode.NO_IMAGE_SERIES, ErrorCode.NOT_A_VOLUME,
            ErrorCode.IRREGULAR_SLICE_SPACING, ErrorCode.MISSING_SLICES, ErrorCode.GANTRY_TILT, ErrorCode.INCONSISTENT_SERIES,
            ErrorCode.UNSUPPORTED_MULTIFRAME, ErrorCode.TOO_MANY_FILES);

    @FuzzTest(maxDuration = "10m")
    void anyDicomBytesReadOrFailWithADocumentedCode(byte[] data) throws Exception {
        try {
            Volume v = DicomSeries.read(new BufferedInputStream(new ByteArrayInputStream(data)), LIMITS, null, 64);
            if (v.voxelCount() > LIMITS.maxVoxels() || v.nz() < 2) {
                throw new AssertionError("read a volume outside the limits: " + v.description());
            }
            for (double s : v.spacing()) {
                if (!(s > 0) || !Double.isFinite(s)) {
                    throw new AssertionError("spacing " + s + " in " + v.description());
                }
            }
            for (double m : v.gridToWorld()) {
                if (!Double.isFinite(m)) {
                    throw new AssertionError("affine not finite in " + v.description());
                }
            }
        } catch (MeshpipeException e) {
            if (!DOCUMENTED.contains(e.code())) {
                throw new AssertionError("undocumented code " + e.code() + ": " + e.getMessage(), e);
            }
        }
    }
}
