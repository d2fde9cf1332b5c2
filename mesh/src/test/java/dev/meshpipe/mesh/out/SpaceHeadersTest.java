package dev.meshpipe.mesh.out;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshFormat;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STL, PLY and OBJ say their frame and unit the way 3D Slicer writes and reads them: it looks for
 * "SPACE=RAS" or "SPACE=LPS" in the STL header, any PLY comment or the OBJ's leading comment
 * (vtkMRMLModelStorageNode::GetCoordinateSystemFromFileHeader), and assumes LPS when there is none.
 */
class SpaceHeadersTest {
    static final List<MeshFormat> TAGGED = List.of(MeshFormat.STL, MeshFormat.PLY, MeshFormat.OBJ);

    @TempDir
    Path dir;

    private Path write(MeshFormat f, Mesh m, CoordinateSpace space) throws Exception {
        Path p = dir.resolve(space.json() + "." + f.json());
        try (OutputStream out = Files.newOutputStream(p)) {
            MeshWriters.write(f, m, null, space, out);
        }
        return p;
    }

    /** The header as a reader sees it: STL's 80 bytes, PLY's lines to end_header, OBJ's leading comments. */
    static String header(MeshFormat f, Path p) throws Exception {
        byte[] b = Files.readAllBytes(p);
        return switch (f) {
            case STL -> new String(Arrays.copyOf(b, 80), StandardCharsets.US_ASCII);
            case PLY -> {
                String s = new String(b, 0, Math.min(b.length, 1000), StandardCharsets.US_ASCII);
                yield s.substring(0, s.indexOf("end_header"));
            }
            default -> String.join("\n", Files.readAllLines(p).stream().takeWhile(l -> l.startsWith("#")).toList());
        };
    }

    @Test
    void eachHeaderNamesItsFrameAndUnit() throws Exception {
        Mesh m = MarchingCubes.extract(SyntheticVolumes.create("sphere:24:8", VolumeLimits.defaults()), 0, true, 2);
        for (MeshFormat f : TAGGED) {
            for (CoordinateSpace s : List.of(CoordinateSpace.RAS, CoordinateSpace.LPS)) {
                String h = header(f, write(f, m, s));
                assertTrue(h.contains("SPACE=" + s.name()), f + " " + s + ": " + h);
                assertTrue(h.contains("millimetres"), f + ": " + h);
            }
            String grid = header(f, write(f, m, CoordinateSpace.GRID));
            assertFalse(grid.contains("SPACE="), "grid space is no anatomical frame: " + grid);
            assertTrue(grid.contains("grid space"), grid);
        }
        assertFalse(header(MeshFormat.STL, write(MeshFormat.STL, m, CoordinateSpace.RAS)).startsWith("solid"),
                "a binary STL header starting with 'solid' reads as ASCII STL in some tools");
        String ply = header(MeshFormat.PLY, write(MeshFormat.PLY, m, CoordinateSpace.LPS));
        assertTrue(ply.contains("\ncomment meshpipe, SPACE=LPS, units: millimetres\n"), ply);
    }

    /**
     * VTK's own readers (the ones 3D Slicer uses, here Debian's python3-vtk9) find the tag where
     * Slicer looks for it, and read the LPS file's x and y as the RAS file's negated.
     */
    @Test
    void vtkReadersFindTheTagWhereSlicerLooks() throws Exception {
        PrintJudges.require(Files.isExecutable(Path.of("/usr/bin/python3")) && PrintJudges.run(60, "/usr/bin/python3", "-c", "import vtk").exit() == 0,
                "python3-vtk9");
        Mesh m = MarchingCubes.extract(SyntheticVolumes.create("sphere:24:8", VolumeLimits.defaults()), 0, true, 2);
        String script = """
                import sys, vtk
                kind, path = sys.argv[1], sys.argv[2]
                r = {'stl': vtk.vtkSTLReader, 'ply': vtk.vtkPLYReader, 'obj': vtk.vtkOBJReader}[kind]()
                r.SetFileName(path)
                r.Update()
                if kind == 'stl':
                    headers = [r.GetHeader()]
                elif kind == 'ply':
                    c = r.GetComments()
                    headers = [c.GetValue(i) for i in range(c.GetNumberOfValues())]
                else:
                    headers = [r.GetComment()]
                space = 'none'
                for h in headers:
                    if h and 'SPACE=RAS' in h:
                        space = 'RAS'; break
                    if h and 'SPACE=LPS' in h:
                        space = 'LPS'; break
                o = r.GetOutput()
                print(space, o.GetNumberOfCells(), ' '.join('%.4f' % b for b in o.GetBounds()))
                """;
        for (MeshFormat f : TAGGED) {
            String ras = PrintJudges.run(120, "/usr/bin/python3", "-c", script, f.json(), write(f, m, CoordinateSpace.RAS).toString()).output().strip();
            String lps = PrintJudges.run(120, "/usr/bin/python3", "-c", script, f.json(), write(f, m.swapRasLps(), CoordinateSpace.LPS).toString()).output().strip();
            String[] a = ras.split(" ");
            String[] b = lps.split(" ");
            assertEquals("RAS", a[0], f + ": " + ras);
            assertEquals("LPS", b[0], f + ": " + lps);
            assertEquals(String.valueOf(m.triangleCount()), a[1], f + ": " + ras);
            assertEquals(-Double.parseDouble(a[3]), Double.parseDouble(b[2]), 1e-3, f + ": " + ras + " / " + lps);
            assertEquals(-Double.parseDouble(a[5]), Double.parseDouble(b[4]), 1e-3, f + ": " + ras + " / " + lps);
            assertEquals(Double.parseDouble(a[6]), Double.parseDouble(b[6]), 1e-3, f + ": " + ras + " / " + lps);
        }
    }
}
