package dev.meshpipe.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class MeshErrorsTest {

    @Test
    void everyMeshErrorMapsToTheErrorCodeOfItsName() {
        for (MeshError e : MeshError.values()) {
            assertEquals(e.name(), MeshErrors.code(e).name());
        }
    }

    /** The statuses clients saw for the library's refusals before it had codes of its own. */
    @Test
    void theHttpStatusesStayAsTheyWere() {
        assertEquals(400, MeshErrors.code(MeshError.INVALID_PARAMETER).httpStatus());
        assertEquals(422, MeshErrors.code(MeshError.INVALID_VOLUME).httpStatus());
        assertEquals(422, MeshErrors.code(MeshError.VOLUME_TOO_LARGE).httpStatus());
        assertEquals(415, MeshErrors.code(MeshError.UNSUPPORTED_TRANSFER_SYNTAX).httpStatus());
        assertEquals(413, MeshErrors.code(MeshError.TOO_MANY_FILES).httpStatus());
        assertEquals(500, MeshErrors.code(MeshError.GPU_ERROR).httpStatus());
    }

    @Test
    void aCallIntoTheLibraryThrowsThePipelinesException() {
        MeshpipeException e = assertThrows(MeshpipeException.class,
                () -> MeshErrors.call(() -> SyntheticVolumes.validate("cube:64", VolumeLimits.defaults())));
        assertEquals(ErrorCode.INVALID_PARAMETER, e.code());
        assertEquals(MeshException.class, e.getCause().getClass());
        assertEquals(e.getCause().getMessage(), e.getMessage());
        IOException io = new IOException("disk");
        assertSame(io, assertThrows(IOException.class, () -> MeshErrors.call(() -> {
            throw io;
        })));
    }

    @Test
    void theFileLimitNamesThePipelinesSetting() {
        MeshpipeException e = MeshErrors.toPipeline(new MeshException(MeshError.TOO_MANY_FILES, "the input holds more than 4 files"));
        assertEquals(ErrorCode.TOO_MANY_FILES, e.code());
        assertEquals("the input holds more than 4 files (MESHPIPE_DICOM_MAX_FILES sets the limit)", e.getMessage());
    }

    @Test
    void theFileLimitComesFromTheConfiguration() {
        assertEquals(VolumeLimits.DEFAULT_MAX_FILES, MeshpipeConfig.fromEnv(java.util.Map.of()).volumeLimits().maxFiles());
        assertEquals(40, MeshpipeConfig.fromEnv(java.util.Map.of("MESHPIPE_DICOM_MAX_FILES", "40")).volumeLimits().maxFiles());
        assertEquals(1, MeshpipeConfig.readerLimits(java.util.Map.of("MESHPIPE_DICOM_MAX_FILES", "0")).maxFiles());
        assertEquals(VolumeLimits.DEFAULT_MAX_FILES, MeshpipeConfig.readerLimits(java.util.Map.of("MESHPIPE_DICOM_MAX_FILES", "many")).maxFiles());
        assertEquals(123, MeshpipeConfig.fromEnv(java.util.Map.of("MESHPIPE_MAX_VOXELS", "123")).volumeLimits().maxVoxels());
    }
}
