package dev.meshpipe.mesh.io.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.VolumeReader;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class DicomReaderTest {
    static final VolumeLimits LIMITS = VolumeLimits.defaults();
    static final String UID = "1.2.3.4";

    static byte[] zip(List<byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            int i = 0;
            for (byte[] f : files) {
                z.putNextEntry(new ZipEntry("s/IM" + i++));
                z.write(f);
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    static Volume read(byte[] b) throws IOException {
        return VolumeReader.read(new BufferedInputStream(new ByteArrayInputStream(b)), LIMITS, null);
    }

    static MeshError codeOf(byte[] b) {
        return assertThrows(MeshException.class, () -> read(b)).code();
    }

    static List<byte[]> slices(int n, double gap) {
        List<byte[]> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(TestDicom.slice(UID, k * gap, DicomFile.EXPLICIT_LE));
        }
        return out;
    }

    @Test
    void zipOfSlicesIsAVolumeInRas() throws IOException {
        Volume v = read(zip(slices(3, 2.5)));
        assertEquals(4, v.nx());
        assertEquals(3, v.ny());
        assertEquals(3, v.nz());
        assertEquals(2.5, v.spacing()[2], 1e-9);
        assertEquals(30f, v.data()[3]);
        // LPS x and y flip to RAS; z stays.
        assertEquals(-1, v.gridToWorld()[0], 0);
        assertEquals(-1, v.gridToWorld()[5], 0);
        assertEquals(1, v.gridToWorld()[10], 0);
    }

    @Test
    void aLoneSliceIsNotAVolume() {
        assertEquals(MeshError.NOT_A_VOLUME, codeOf(TestDicom.slice(UID, 0, DicomFile.EXPLICIT_LE)));
    }

    @Test
    void jpegIsRefusedNamingTheSyntax() throws IOException {
        MeshException e = assertThrows(MeshException.class,
                () -> read(TestDicom.slice(UID, 0, "1.2.840.10008.1.2.4.50")));
        assertEquals(MeshError.UNSUPPORTED_TRANSFER_SYNTAX, e.code());
        assertTrue(e.getMessage().contains("JPEG Baseline (1.2.840.10008.1.2.4.50)"), e.getMessage());
    }

    @Test
    void everyTruncationGivesACode() {
        byte[] full = TestDicom.slice(UID, 0, DicomFile.EXPLICIT_LE);
        for (int len = 0; len < full.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(full, len);
            MeshException e = assertThrows(MeshException.class, () -> read(cut), "length " + len);
            assertTrue(Set.of(MeshError.INVALID_VOLUME, MeshError.NOT_A_VOLUME).contains(e.code()), len + ": " + e.code());
        }
    }

    @Test
    void anElementLongerThanTheFileIsInvalid() {
        byte[] b = TestDicom.slice(UID, 0, DicomFile.EXPLICIT_LE);
        // The Modality element's 16-bit length (after 132 + meta bytes): make it absurd.
        int at = indexOf(b, new byte[] {8, 0, 0x60, 0, 'C', 'S'}) + 6;
        b[at] = (byte) 0xff;
        b[at + 1] = (byte) 0x7f;
        MeshException e = assertThrows(MeshException.class, () -> read(b));
        assertEquals(MeshError.INVALID_VOLUME, e.code());
        assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
    }

    @Test
    void severalSeriesNeedAName() throws IOException {
        List<byte[]> files = slices(3, 1);
        for (int k = 0; k < 2; k++) {
            files.add(TestDicom.slice("9.9", k, DicomFile.EXPLICIT_LE));
        }
        MeshException e = assertThrows(MeshException.class, () -> read(zip(files)));
        assertEquals(MeshError.AMBIGUOUS_SERIES, e.code());
        assertTrue(e.getMessage().contains("1.2.3.4") && e.getMessage().contains("3 slices"), e.getMessage());
        Volume v = VolumeReader.read(new BufferedInputStream(new ByteArrayInputStream(zip(files))), LIMITS, UID);
        assertEquals(3, v.nz());
    }

    @Test
    void aZipBombStopsAtTheByteLimit() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("bomb"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                z.write(zeros);
            }
            z.closeEntry();
        }
        VolumeLimits small = new VolumeLimits(LIMITS.maxVoxels(), 8 << 20);
        MeshException e = assertThrows(MeshException.class,
                () -> VolumeReader.read(new BufferedInputStream(new ByteArrayInputStream(bytes.toByteArray())), small, null));
        assertEquals(MeshError.VOLUME_TOO_LARGE, e.code());
    }

    @Test
    void tooManyFilesAreRefused() throws IOException {
        byte[] z = zip(slices(5, 1));
        MeshException e = assertThrows(MeshException.class,
                () -> DicomSeries.read(new BufferedInputStream(new ByteArrayInputStream(z)), LIMITS.withMaxFiles(4), null));
        assertEquals(MeshError.TOO_MANY_FILES, e.code());
    }

    @Test
    void aCorruptZipIsInvalid() throws IOException {
        byte[] z = zip(slices(3, 1));
        byte[] cut = java.util.Arrays.copyOf(z, z.length / 2);
        assertEquals(MeshError.INVALID_VOLUME, codeOf(cut));
    }

    @Test
    void theDemoSeriesIsACtVolumeInHounsfieldUnits() throws IOException {
        Volume v = read(SyntheticDicom.ballSeriesZip(24));
        assertEquals(24, v.nz());
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (float f : v.data()) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        assertEquals(-1000f, lo);
        assertEquals(700f, hi);
        assertTrue(v.description().startsWith("DICOM CT series 1 'meshpipe demo ball' int16 24x24x24"), v.description());
    }

    /**
     * Files on disk larger than the head read first: pixels after a short header are read from
     * the file when decoded, a header longer than the small head is read from the larger one, a
     * header longer than both makes the whole file read, and pixel data
     * that claims more bytes than the file holds is refused, not read past.
     */
    @Test
    void filesOnDiskAreReadFromTheirHeads(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        int big = DicomFile.HEAD_BYTES + 10;
        for (int k = 0; k < 3; k++) {
            byte[] s = TestDicom.slice(UID, k * 2.0, DicomFile.EXPLICIT_LE);
            byte[] file = switch (k) {
                case 1 -> withElementBeforePixels(s, big);
                case 2 -> withTrailingPadding(withElementBeforePixels(s, DicomFile.SMALL_HEAD_BYTES + 10), big);
                default -> withTrailingPadding(s, big);
            };
            Files.write(dir.resolve("IM" + k), file);
        }
        Volume v = DicomSeries.readDirectory(dir, LIMITS, null);
        assertEquals(3, v.nz());
        for (int k = 0; k < 3; k++) {
            assertEquals(30f, v.data()[12 * k + 3], "slice " + k);
            assertEquals(10f, v.data()[12 * k + 5], "slice " + k);
        }
        byte[] bad = withTrailingPadding(TestDicom.slice(UID, 6, DicomFile.EXPLICIT_LE), big);
        int length = indexOf(bad, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0, 'O', 'W'}) + 8;
        bad[length + 2] = 0x10; // 24 bytes of pixels become 1 MiB + 24
        Files.write(dir.resolve("IM3"), bad);
        MeshException e = assertThrows(MeshException.class, () -> DicomSeries.readDirectory(dir, LIMITS, null));
        assertEquals(MeshError.INVALID_VOLUME, e.code());
        assertTrue(e.getMessage().contains("runs past the end of the file"), e.getMessage());
    }

    /** Appends a DataSetTrailingPadding (FFFC,FFFC) of {@code n} bytes after the pixel data. */
    static byte[] withTrailingPadding(byte[] file, int n) {
        return concat(file, obElement(0xFFFC, 0xFFFC, n));
    }

    /** Puts a private OB element of {@code n} bytes just before the pixel data. */
    static byte[] withElementBeforePixels(byte[] file, int n) {
        int at = indexOf(file, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0, 'O', 'W'});
        return concat(concat(java.util.Arrays.copyOf(file, at), obElement(0x0029, 0x1010, n)),
                java.util.Arrays.copyOfRange(file, at, file.length));
    }

    private static byte[] obElement(int group, int element, int n) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) group).putShort((short) element).put((byte) 'O').put((byte) 'B').putShort((short) 0).putInt(n);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Small enhanced CT files (the fuzzer's seeds, written by tools/make_dicom_series.py's
     * write_enhanced): three 4x3 frames stored out of order, in explicit VR with defined and with
     * undefined sequence lengths and in implicit VR, one frame with its own rescale (slope 0.5,
     * intercept -10); and a ZIP of three one-frame enhanced files, each placed only by its
     * functional groups. Each reads as one volume in position order with the physical values.
     */
    @Test
    void enhancedFramesArePlacedAndRescaledOneByOne() throws IOException {
        Path seeds = Path.of("src/test/resources/dev/meshpipe/mesh/io/dicom/DicomFuzzTestInputs/anyDicomBytesReadOrFailWithADocumentedCode");
        for (String name : List.of("enhanced-3-frames", "enhanced-undefined-lengths", "enhanced-implicit", "enhanced-one-frame-each.zip")) {
            Volume v = read(Files.readAllBytes(seeds.resolve(name)));
            assertEquals(List.of(4, 3, 3), List.of(v.nx(), v.ny(), v.nz()), name);
            assertEquals(2.0, v.spacing()[2], 1e-9, name);
            for (int i = 0; i < 36; i++) {
                assertEquals(10f * i, v.data()[i], name + " voxel " + i);
            }
            assertTrue(v.description().contains("'enhanced'"), v.description());
        }
    }

    static final Path PYDICOM_FILES = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
    static final Set<MeshError> DOCUMENTED = Set.of(MeshError.NOT_A_VOLUME, MeshError.UNSUPPORTED_TRANSFER_SYNTAX,
            MeshError.UNSUPPORTED_MULTIFRAME, MeshError.UNSUPPORTED_INPUT, MeshError.INVALID_VOLUME, MeshError.NO_IMAGE_SERIES);

    /** Debian's pydicom test files: real MR and CT images in many encodings, some broken on purpose. */
    @Test
    void pydicomTestFilesGiveAVolumeOrACode() throws IOException {
        if (!Files.isDirectory(PYDICOM_FILES) && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI needs python3-pydicom");
        }
        Assumptions.assumeTrue(Files.isDirectory(PYDICOM_FILES), "python3-pydicom is not installed");
        List<Path> files;
        try (Stream<Path> s = Files.list(PYDICOM_FILES)) {
            files = s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
        }
        StringBuilder table = new StringBuilder();
        for (Path p : files) {
            String outcome = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try {
                    Volume v = VolumeReader.read(p.toString(), LIMITS);
                    return "volume " + v.nx() + "x" + v.ny() + "x" + v.nz();
                } catch (MeshException e) {
                    assertTrue(DOCUMENTED.contains(e.code()), p.getFileName() + ": undocumented " + e.code());
                    return e.code() + ": " + e.getMessage();
                }
            }, p.getFileName().toString());
            table.append(String.format("%-40s %s%n", p.getFileName(), outcome.length() > 130 ? outcome.substring(0, 130) + "..." : outcome));
        }
        System.out.print(table);
        assertTrue(files.size() > 50, "expected pydicom's test files");
    }

    private static int indexOf(byte[] b, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= b.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (b[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }
}
