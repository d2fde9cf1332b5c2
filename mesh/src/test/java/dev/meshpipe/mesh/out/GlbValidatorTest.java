package dev.meshpipe.mesh.out;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.mc.MarchingCubes;
import dev.meshpipe.mesh.testing.Prerequisites;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our GLB files pass the Khronos glTF validator (npm package gltf-validator, which this module's
 * build installs with {@code npm ci --prefix tools/gltf}; skipped, outside CI, without npm).
 */
class GlbValidatorTest {
    static final Path TOOL = Path.of("..", "tools", "gltf").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void meshesAndAnEmptyMeshValidateWithoutErrors() throws Exception {
        Prerequisites.npmPackage(TOOL, "gltf-validator");
        check("sphere", MarchingCubes.extract(SyntheticVolumes.create("sphere:40:15", VolumeLimits.defaults()), 0, true, 2));
        check("gyroid", MarchingCubes.extract(SyntheticVolumes.create("gyroid:32:2", VolumeLimits.defaults()), 0, true, 2));
        check("empty", Mesh.empty());
    }

    /** A scene of named, coloured surfaces (label maps), one of them empty, and a scene of none. */
    @Test
    void scenesOfNamedColouredSurfacesValidate() throws Exception {
        Prerequisites.npmPackage(TOOL, "gltf-validator");
        Mesh sphere = MarchingCubes.extract(SyntheticVolumes.create("sphere:24:8", VolumeLimits.defaults()), 0, true, 2);
        Mesh gyroid = MarchingCubes.extract(SyntheticVolumes.create("gyroid:20:2", VolumeLimits.defaults()), 0, true, 2);
        check("scene", java.util.List.of(new ThreeMfWriter.Surface("sphere", 0xA0522DFF, sphere),
                new ThreeMfWriter.Surface("nothing", 0x00FF00FF, Mesh.empty()),
                new ThreeMfWriter.Surface("see-through gyroid", 0x0080FF80, gyroid)));
        check("no-surfaces", java.util.List.of());
    }

    private void check(String name, java.util.List<ThreeMfWriter.Surface> surfaces) throws Exception {
        Path glb = dir.resolve(name + ".glb");
        try (OutputStream out = Files.newOutputStream(glb)) {
            GlbWriter.write(surfaces, out);
        }
        validate(name, glb);
    }

    private void check(String name, Mesh mesh) throws Exception {
        Path glb = dir.resolve(name + ".glb");
        try (OutputStream out = Files.newOutputStream(glb)) {
            GlbWriter.write(mesh, out);
        }
        validate(name, glb);
    }

    private void validate(String name, Path glb) throws Exception {
        Process p = new ProcessBuilder("node", TOOL.resolve("validate.mjs").toString(), glb.toString())
                .redirectErrorStream(true).start();
        String report = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), name + ": " + report);
        assertTrue(report.contains("\"errors\":0"), name + ": " + report);
    }
}
