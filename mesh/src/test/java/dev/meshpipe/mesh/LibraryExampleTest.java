package dev.meshpipe.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.io.VolumeReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library's example in mesh/README.md, line for line, so the README stays true. */
class LibraryExampleTest {
    @TempDir
    Path outDir;

    @Test
    void theReadmesExampleMeshesAVolume() throws Exception {
        Volume volume = VolumeReader.read("sphere:64:25", VolumeLimits.defaults()); // or "ct.nii.gz", a DICOM .zip
        MeshOptions options = MeshOptions.defaults().withIso(Iso.AUTO).withFormats(MeshFormat.STL, MeshFormat.GLB);
        MeshResult result = MeshJob.run(volume, options, outDir);
        System.out.println(result.triangles() + " triangles, watertight: " + result.watertight());

        assertTrue(result.watertight());
        assertTrue(result.triangles() > 10_000, result.triangles() + " triangles");
        assertEquals(List.of("mesh.stl", "mesh.glb", "preview.png", "quality.json"), result.files());
        for (String f : result.files()) {
            assertTrue(Files.size(outDir.resolve(f)) > 0, f);
        }
    }

    @Test
    void theReadmeShowsTheseLines() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```java\n");
        assertTrue(start >= 0, "README.md has a Java example");
        String example = readme.substring(start + 8, readme.indexOf("```", start + 8));
        String test = Files.readString(Path.of("src/test/java/dev/meshpipe/mesh/LibraryExampleTest.java"));
        List<String> lines = example.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(4, lines.size(), example);
        for (String line : lines) {
            assertTrue(test.contains("        " + line + "\n"), "LibraryExampleTest does not run the README's line: " + line);
        }
    }
}
