package dev.meshpipe.mesh.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ColorTableTest {

    @Test
    void itkSnapLabelDescription() {
        String text = """
                ################################################
                # ITK-SnAP Label Description File
                #    IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL
                ################################################
                    0     0    0    0        0  0  0    "Clear Label"
                    1   255    0    0        1  1  1    "Left hippocampus"
                    2     0  255    0      0.5  1  1    "Label 2/../x"
                """;
        ColorTable t = ColorTable.parse(text);
        assertEquals("itk-snap", t.format());
        assertEquals("Left hippocampus", t.name(1));
        assertEquals("#ff0000", t.hex(1));
        assertEquals(0.5, t.entries().get(2).opacity());
        assertEquals("labels/2-Label_2_x.stl", t.path(2, "stl"));
    }

    @Test
    void freeSurferLutReadsAlphaZeroAsOpaque() {
        String text = """
                #$Id: FreeSurferColorLUT.txt,v 1.105 2015/07/29 $

                #No. Label Name:                            R   G   B   A

                0   Unknown                                 0   0   0   0
                2   Left-Cerebral-White-Matter              245 245 245 0
                17  Left-Hippocampus                        220 216 20  0
                """;
        ColorTable t = ColorTable.parse(text);
        assertEquals("lut", t.format());
        assertEquals("#dcd814", t.hex(17));
        assertEquals(1.0, t.entries().get(17).opacity());
        assertEquals("labels/2-Left-Cerebral-White-Matter.obj", t.path(2, "obj"));
    }

    @Test
    void slicerColourTableWithSpacesInNames() {
        ColorTable t = ColorTable.parse("# Color table file /tmp/x.ctbl\n# 2 values\n0 background 0 0 0 0\n"
                + "5 left kidney 185 102 83 255\r\n");
        assertEquals("left kidney", t.name(5));
        assertEquals("#b96653", t.hex(5));
        assertEquals(1.0, t.entries().get(5).opacity());
        assertEquals(0.0, t.entries().get(0).opacity());
    }

    @Test
    void jsonTable() {
        ColorTable t = ColorTable.parse("{\"1\": {\"name\": \"liver\", \"color\": \"#A0522D\"}, \"2\": {\"color\": [0, 128, 255]},"
                + " \"3\": {\"name\": \"spleen\"}}");
        assertEquals("json", t.format());
        assertEquals("#a0522d", t.hex(1));
        assertEquals("label-2", t.name(2));
        assertEquals("#0080ff", t.hex(2));
        assertEquals(ColorTable.defaultColor(3), t.rgb(3));
    }

    @Test
    void mricronAtlasNamesAndBinaryLut() throws Exception {
        Path dir = Path.of("/usr/share/mricron/templates");
        assumeTrue(Files.isDirectory(dir), "mricron-data not installed");
        ColorTable aal = ColorTable.parse(Files.readAllBytes(dir.resolve("aal.nii.txt")));
        assertEquals("names", aal.format());
        assertEquals(116, aal.entries().size());
        assertEquals("Precentral_L", aal.name(1));
        assertEquals("labels/116-Vermis_10.glb", aal.path(116, "glb"));
        ColorTable jhu = ColorTable.parse(Files.readAllBytes(dir.resolve("JHU-WhiteMatter-labels-1mm.nii.txt")));
        assertEquals("Middle_cerebellar_peduncle", jhu.name(1));
        assertEquals("labels/2-Pontine_crossing_tract_a_part_of_MCP.stl", jhu.path(2, "stl"));
        ColorTable aicha = ColorTable.parse(Files.readAllBytes(dir.resolve("AICHAmc.nii.txt")));
        assertEquals("G_Frontal_Sup-1", aicha.name(1));
        ColorTable lut = ColorTable.parse(Files.readAllBytes(dir.resolve("aal.nii.lut")));
        assertEquals("mricron-lut", lut.format());
        ColorTable both = aal.withColoursFrom(lut);
        assertEquals("Precentral_L", both.name(1));
        // Planar: reds, greens, blues; AAL gives left and right of a region one colour.
        assertEquals("#cccccc", both.hex(1));
        assertEquals("#3d3dcb", both.hex(5));
        assertEquals(both.hex(5), both.hex(6));
    }

    @Test
    void defaultPaletteIsDeterministicAndDistinct() {
        Set<Integer> seen = new HashSet<>();
        for (int id = 1; id <= 200; id++) {
            assertEquals(ColorTable.defaultColor(id), ColorTable.empty().rgb(id));
            seen.add(ColorTable.defaultColor(id));
        }
        assertEquals(200, seen.size());
        assertNotEquals(ColorTable.defaultColor(1), ColorTable.defaultColor(2));
        assertEquals("label-7", ColorTable.empty().name(7));
    }

    @Test
    void namesBecomeSafeFileNames() {
        assertEquals("a_b_c", ColorTable.sanitize("a/b\\c"));
        assertEquals("etc_passwd", ColorTable.sanitize("../../etc/passwd"));
        assertEquals("label", ColorTable.sanitize("///"));
        assertEquals("Hippocampe_gauche", ColorTable.sanitize("Hippocampe\u00a0gauche"));
        assertEquals(64, ColorTable.sanitize("x".repeat(300)).length());
    }

    @Test
    void badTablesSayWhereAndWhy() {
        String[][] cases = {
            {"1 a 300 0 0 255", "line 1: colour component 300"},
            {"1 a 1 2 3 255\n1 b 1 2 3 255", "line 2: label 1 is listed twice"},
            {"hello world", "line 1: expected"},
            {"1 a 1 2 3 255\n2 b", "line 2: a names line in a lut table"},
            {"   1 1 1 1 2.5 1 1 \"x\"", "opacity 2.5"},
            {"# only comments", "no entries"},
            {"{\"x\": {}}", "not a label id"},
            {"{\"1\": {\"color\": \"red\"}}", "#rrggbb"},
            {"{\"1\": {\"color\": [1, 2, 300]}}", "#rrggbb"},
            {"{\"1\": ", "not valid JSON"},
        };
        for (String[] c : cases) {
            MeshException e = assertThrows(MeshException.class, () -> ColorTable.parse(c[0]), c[0]);
            assertEquals(MeshError.INVALID_PARAMETER, e.code());
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }
}
