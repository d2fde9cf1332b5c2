package dev.meshpipe.mesh.out;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our GLB files pass the Khronos glTF validator (npm package gltf-validator, installed by .ci/run
 * with {@code npm ci --prefix tools/gltf}). Outside CI the test is skipped when it is not installed.
 */
class GlbValidatorTest {
    static final Path TOOL = Path.of("..", "tools", "gltf").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void meshesAndAnEmptyMeshValidateWithoutErrors() throws Exception {
        boolean installed = Files.isDirectory(TOOL.resolve("node_modules/gltf-validator"));
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("gltf-validator is not installed in " + TOOL + " (.ci/run should have run npm ci)");
        }
        Assumptions.assumeTrue(installed, "gltf-validator not installed: npm ci --prefix tools/gltf");
        check("sphere", MarchingCubes.extract(SyntheticVolumes.create("sphere:40:15", VolumeLimits.defaults()), 0, true, 2));
        check("gyroid", MarchingCubes.extract(SyntheticVolumes.create("gyroid:32:2", VolumeLimits.defaults()), 0, true, 2));
        check("empty", Mesh.empty());
    }

    private void check(String name, Mesh mesh) throws Exception {
        Path glb = dir.resolve(name + ".glb");
        try (OutputStream out = Files.newOutputStream(glb)) {
            GlbWriter.write(mesh, out);
        }
        Process p = new ProcessBuilder("node", TOOL.resolve("validate.mjs").toString(), glb.toString())
                .redirectErrorStream(true).start();
        String report = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), name + ": " + report);
        assertTrue(report.contains("\"errors\":0"), name + ": " + report);
    }
}
