package dev.meshpipe.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.out.PrintJudges;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's STL and 3MF as PrusaSlicer, what a printing user runs next, sees them: a closed
 * manifold mesh with nothing to repair, which it slices. Raw marching cubes, closed borders.
 */
class PrintReadyTest {
    static final Path CH2BET = Path.of("/usr/share/mricron/templates/ch2bet.nii.gz");
    static final List<MeshFormat> PRINT = List.of(MeshFormat.STL, MeshFormat.THREE_MF);

    @TempDir
    Path dir;

    private MeshResult run(Volume v, CoordinateSpace space, Path out) throws Exception {
        Files.createDirectories(out);
        return MeshJob.run(v, MeshOptions.defaults().withFormats(PRINT).withSpace(space).withName("ball").withThreads(2), MeshJob.cpu(2),
                name -> Files.newOutputStream(out.resolve(name)), MeshJob.Progress.NONE);
    }

    @Test
    void aSphereJobsStlAnd3mfArePrintReadyAndSlice() throws Exception {
        Path out = dir.resolve("ras");
        MeshResult r = run(SyntheticVolumes.create("sphere:64:25", VolumeLimits.defaults()), CoordinateSpace.RAS, out);
        for (MeshFormat f : PRINT) {
            Path file = out.resolve(f.fileName());
            PrintJudges.assertPrintReady(file, r.quality().triangles());
            PrintJudges.assertSlices(file, dir.resolve(f.json() + ".gcode"));
        }
    }

    /** LPS is a half turn about z: the same solid, x and y bounds negated, not mirrored inside out. */
    @Test
    void lpsFilesAreTheSameSolidTurnedAboutZ() throws Exception {
        Volume v = SyntheticVolumes.create("sphere:48:15", VolumeLimits.defaults());
        MeshResult ras = run(v, CoordinateSpace.RAS, dir.resolve("ras"));
        MeshResult lps = run(v, CoordinateSpace.LPS, dir.resolve("lps"));
        for (MeshFormat f : PRINT) {
            Map<String, String> a = PrintJudges.assertPrintReady(dir.resolve("ras").resolve(f.fileName()), ras.quality().triangles());
            Map<String, String> b = PrintJudges.assertPrintReady(dir.resolve("lps").resolve(f.fileName()), lps.quality().triangles());
            assertEquals(-num(a, "max_x"), num(b, "min_x"), 1e-4, f + " " + b);
            assertEquals(-num(a, "min_y"), num(b, "max_y"), 1e-4, f + " " + b);
            assertEquals(num(a, "min_z"), num(b, "min_z"), 1e-4, f + " " + b);
            assertEquals(num(a, "volume"), num(b, "volume"), 1e-3 * num(a, "volume"), f + " " + b);
        }
    }

    /** The real brain, raw marching cubes at Otsu's threshold: 361 closed pieces, none to repair. */
    @Test
    void ch2betRawMarchingCubesIsPrintReady() throws Exception {
        assumeTrue(Files.exists(CH2BET), "mricron-data is not installed");
        Path out = dir.resolve("ch2bet");
        MeshResult r = run(VolumeReader.read(CH2BET.toString(), VolumeLimits.defaults()), CoordinateSpace.RAS, out);
        for (MeshFormat f : PRINT) {
            Map<String, String> info = PrintJudges.assertPrintReady(out.resolve(f.fileName()), r.quality().triangles());
            assertEquals(r.quality().connectedComponents(), Long.parseLong(info.get("number_of_parts")), f + " " + info);
        }
    }

    private static double num(Map<String, String> info, String key) {
        return Double.parseDouble(info.get(key));
    }
}
