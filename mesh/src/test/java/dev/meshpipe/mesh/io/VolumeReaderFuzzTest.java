package dev.meshpipe.mesh.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import java.io.ByteArrayInputStream;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the volume readers (NIfTI-1, NIfTI-2, NRRD, gzip, raw detection) with Jazzer.
 * Under {@code ./mvnw verify} this replays the seeds (real and hand-made files in
 * {@code VolumeReaderFuzzTestInputs/}) and every input that once failed; {@code tools/fuzz.sh}
 * fuzzes for real. Every input either reads, within the limits, or fails with a documented code:
 * never another exception, a hang or an allocation beyond the limits.
 */
class VolumeReaderFuzzTest {
    static final VolumeLimits LIMITS = new VolumeLimits(1 << 20, 64L << 20);
    static final Set<ErrorCode> DOCUMENTED = Set.of(ErrorCode.INVALID_VOLUME, ErrorCode.UNSUPPORTED_INPUT, ErrorCode.VOLUME_TOO_LARGE,
            ErrorCode.UNSUPPORTED_TRANSFER_SYNTAX, ErrorCode.AMBIGUOUS_SERIES, ErrorCode.NO_IMAGE_SERIES, ErrorCode.NOT_A_VOLUME, // DICOM
            ErrorCode.IRREGULAR_SLICE_SPACING, ErrorCode.MISSING_SLICES, ErrorCode.GANTRY_TILT, ErrorCode.INCONSISTENT_SERIES,
            ErrorCode.UNSUPPORTED_MULTIFRAME, ErrorCode.TOO_MANY_FILES);

    @FuzzTest(maxDuration = "10m")
    void anyBytesReadOrFailWithADocumentedCode(byte[] data) throws Exception {
        try {
            Volume v = VolumeReader.read(new ByteArrayInputStream(data), LIMITS);
            if (v.voxelCount() > LIMITS.maxVoxels() || v.nx() < 1 || v.ny() < 1 || v.nz() < 1) {
                throw new AssertionError("read a volume outside the limits: " + v.description());
            }
            for (double s : v.spacing()) {
                if (!(s > 0) || !Double.isFinite(s)) {
                    throw new AssertionError("spacing " + s + " in " + v.description());
                }
            }
        } catch (MeshpipeException e) {
            if (!DOCUMENTED.contains(e.code())) {
                throw new AssertionError("undocumented code " + e.code() + ": " + e.getMessage(), e);
            }
        }
    }
}
