package dev.meshpipe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The committed kernel image is a fatbin built from the current source. */
class KernelImageTest {

    @Test
    void imageIsBuiltFromTheCurrentSource() throws Exception {
        byte[] source = Files.readAllBytes(Path.of("src/main/cuda/marching_cubes.cu"));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source));
        assertEquals(hash, KernelImage.sourceHash(),
                "marching_cubes.fatbin is older than marching_cubes.cu: run mesh-gpu/src/main/cuda/build.sh and commit both");
    }

    @Test
    void imageIsAFatbin() {
        byte[] image = KernelImage.bytes();
        assertEquals(0xBA55ED50, ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(), "fatbin magic");
    }
}
