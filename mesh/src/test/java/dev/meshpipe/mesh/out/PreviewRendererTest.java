package dev.meshpipe.mesh.out;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.awt.image.DataBufferInt;
import org.junit.jupiter.api.Test;

class PreviewRendererTest {

    /** Bands of rows are drawn apart; a pixel sees the same triangles in the same order however many there are. */
    @Test
    void thePictureIsTheSameOnAnyNumberOfThreads() {
        Volume v = SyntheticVolumes.create("sphere:160:64", VolumeLimits.defaults());
        Mesh mesh = MarchingCubes.extract(v, v.defaultIso(), true, 2);
        assertTrue(mesh.triangleCount() >= 80_000, "enough triangles for four bands: " + mesh.triangleCount());
        int[] common = pixels(PreviewRenderer.render(mesh, 256));
        for (int threads : new int[] {1, 2, 3, 4}) {
            assertArrayEquals(common, pixels(PreviewRenderer.render(mesh, 256, threads)), threads + " threads");
        }
    }

    private static int[] pixels(java.awt.image.BufferedImage img) {
        return ((DataBufferInt) img.getRaster().getDataBuffer()).getData().clone();
    }
}
