package dev.meshpipe.mesh.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
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
    static final Set<MeshError> DOCUMENTED = Set.of(MeshError.INVALID_VOLUME, MeshError.UNSUPPORTED_INPUT, MeshError.VOLUME_TOO_LARGE,
            MeshError.UNSUPPORTED_TRANSFER_SYNTAX, MeshError.AMBIGUOUS_SERIES, MeshError.NO_IMAGE_SERIES, MeshError.NOT_A_VOLUME, // DICOM
            MeshError.IRREGULAR_SLICE_SPACING, MeshError.MISSING_SLICES, MeshError.GANTRY_TILT, MeshError.INCONSISTENT_SERIES,
            MeshError.UNSUPPORTED_MULTIFRAME, MeshError.TOO_MANY_FILES);

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
        } catch (MeshException e) {
            if (!DOCUMENTED.contains(e.code())) {
                throw new AssertionError("undocumented code " + e.code() + ": " + e.getMessage(), e);
            }
        }
    }
}
