package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.io.dicom.TestDicom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./meshpipe mesh} on DICOM: a folder, a ZIP with two series, and --series. */
class DicomMeshCommandTest {
    static List<byte[]> series(String uid, int slices) {
        List<byte[]> out = new ArrayList<>();
        for (int k = 0; k < slices; k++) {
            out.add(TestDicom.slice(uid, 1.5 * k, TestDicom.EXPLICIT_LE));
        }
        return out;
    }

    @Test
    void foldersAndZipsOfDicomAreMeshed(@TempDir Path tmp) throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("series/sub"));
        List<byte[]> one = series("1.2.3", 4);
        for (int i = 0; i < one.size(); i++) {
            Files.write(folder.resolve("slice" + (3 - i)), one.get(i));
        }
        Files.writeString(tmp.resolve("series/notes.txt"), "not DICOM");
        MeshCommandTest.Run r = MeshCommandTest.run("mesh", tmp.resolve("series").toString(), "--iso", "15", "--formats", "stl",
                "--out", tmp.resolve("out1").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.readString(tmp.resolve("out1/quality.json")).contains("1 not DICOM, skipped"));

        List<byte[]> two = series("1.2.3", 4);
        two.addAll(series("1.2.4", 3));
        Path zip = tmp.resolve("two.zip");
        Files.write(zip, TestDicom.zip(two));
        r = MeshCommandTest.run("mesh", zip.toString(), "--iso", "15", "--out", tmp.resolve("out2").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("[AMBIGUOUS_SERIES]") && r.err().contains("1.2.4"), r.err());
        r = MeshCommandTest.run("mesh", zip.toString(), "--series", "1.2.4", "--iso", "15", "--formats", "stl",
                "--out", tmp.resolve("out3").toString());
        assertEquals(0, r.exit(), r.err());
    }
}
