package dev.meshpipe.mesh.io.dicom;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
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
    static final VolumeLimits LIMITS = new VolumeLimits(1 << 20, 64L << 20, 64);
    static final Set<MeshError> DOCUMENTED = Set.of(MeshError.INVALID_VOLUME, MeshError.UNSUPPORTED_INPUT, MeshError.VOLUME_TOO_LARGE,
            MeshError.UNSUPPORTED_TRANSFER_SYNTAX, MeshError.AMBIGUOUS_SERIES, MeshError.NO_IMAGE_SERIES, MeshError.NOT_A_VOLUME,
            MeshError.IRREGULAR_SLICE_SPACING, MeshError.MISSING_SLICES, MeshError.GANTRY_TILT, MeshError.INCONSISTENT_SERIES,
            MeshError.UNSUPPORTED_MULTIFRAME, MeshError.TOO_MANY_FILES);

    @FuzzTest(maxDuration = "10m")
    void anyDicomBytesReadOrFailWithADocumentedCode(byte[] data) throws Exception {
        try {
            Volume v = DicomSeries.read(new BufferedInputStream(new ByteArrayInputStream(data)), LIMITS, null);
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
        } catch (MeshException e) {
            if (!DOCUMENTED.contains(e.code())) {
                throw new AssertionError("undocumented code " + e.code() + ": " + e.getMessage(), e);
            }
        }
    }
}
