package dev.meshpipe.mesh.out;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ThreeMfWriterTest {
    static final String CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types";
    static final String RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships";

    @TempDir
    Path dir;

    static Mesh sphere() {
        return MarchingCubes.extract(SyntheticVolumes.create("sphere:40:15", VolumeLimits.defaults()), 0, true, 2);
    }

    static Mesh torus() {
        return MarchingCubes.extract(SyntheticVolumes.create("torus:40", VolumeLimits.defaults()), 0, true, 2);
    }

    static byte[] write(List<ThreeMfWriter.Surface> surfaces, CoordinateSpace space) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ThreeMfWriter.write(surfaces, space, b);
        return b.toByteArray();
    }

    static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                parts.put(e.getName(), in.readAllBytes());
            }
        }
        return parts;
    }

    static Document xml(byte[] bytes) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
    }

    static List<Element> children(Element parent, String ns, String name) {
        List<Element> out = new ArrayList<>();
        NodeList l = parent.getElementsByTagNameNS(ns, name);
        for (int i = 0; i < l.getLength(); i++) {
            out.add((Element) l.item(i));
        }
        return out;
    }

    @Test
    void thePackageAndModelFollowTheCoreSpec() throws Exception {
        Mesh m = sphere();
        Map<String, byte[]> parts = unzip(write(List.of(new ThreeMfWriter.Surface("ball", ThreeMfWriter.DEFAULT_RGBA, m)), CoordinateSpace.RAS));
        assertEquals(List.of("[Content_Types].xml", "_rels/.rels", "3D/3dmodel.model"), new ArrayList<>(parts.keySet()));

        Element types = xml(parts.get("[Content_Types].xml")).getDocumentElement();
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Element d : children(types, CT_NS, "Default")) {
            defaults.put(d.getAttribute("Extension"), d.getAttribute("ContentType"));
        }
        assertEquals("application/vnd.ms-package.3dmanufacturing-3dmodel+xml", defaults.get("model"));
        assertEquals("application/vnd.openxmlformats-package.relationships+xml", defaults.get("rels"));
        Element rel = children(xml(parts.get("_rels/.rels")).getDocumentElement(), RELS_NS, "Relationship").get(0);
        assertEquals("/3D/3dmodel.model", rel.getAttribute("Target"));
        assertEquals("http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel", rel.getAttribute("Type"));

        Element model = xml(parts.get("3D/3dmodel.model")).getDocumentElement();
        assertEquals(ThreeMfWriter.CORE_NS, model.getNamespaceURI());
        assertEquals("millimeter", model.getAttribute("unit"));
        String description = children(model, ThreeMfWriter.CORE_NS, "metadata").stream()
                .filter(e -> e.getAttribute("name").equals("Description")).findFirst().orElseThrow().getTextContent();
        assertTrue(description.startsWith("SPACE=RAS"), description);
        Element colour = children(model, ThreeMfWriter.MATERIAL_NS, "color").get(0);
        assertEquals("#EDDBC2FF", colour.getAttribute("color"));
        Element group = (Element) colour.getParentNode();
        assertEquals("colorgroup", group.getLocalName());

        List<Element> objects = children(model, ThreeMfWriter.CORE_NS, "object");
        assertEquals(1, objects.size());
        Element o = objects.get(0);
        assertEquals("ball", o.getAttribute("name"));
        assertEquals("model", o.getAttribute("type"));
        assertEquals(group.getAttribute("id"), o.getAttribute("pid"));
        assertEquals("0", o.getAttribute("pindex"));
        List<Element> items = children(model, ThreeMfWriter.CORE_NS, "item");
        assertEquals(1, items.size());
        assertEquals(o.getAttribute("id"), items.get(0).getAttribute("objectid"));
        assertSameMesh(m, o);
    }

    /** Every coordinate reads back as the very same float and every triangle as the same indices. */
    static void assertSameMesh(Mesh m, Element object) {
        List<Element> vs = children(object, ThreeMfWriter.CORE_NS, "vertex");
        float[] p = new float[vs.size() * 3];
        for (int i = 0; i < vs.size(); i++) {
            p[3 * i] = Float.parseFloat(vs.get(i).getAttribute("x"));
            p[3 * i + 1] = Float.parseFloat(vs.get(i).getAttribute("y"));
            p[3 * i + 2] = Float.parseFloat(vs.get(i).getAttribute("z"));
        }
        assertArrayEquals(m.positions(), p);
        List<Element> ts = children(object, ThreeMfWriter.CORE_NS, "triangle");
        int[] t = new int[ts.size() * 3];
        for (int i = 0; i < ts.size(); i++) {
            t[3 * i] = Integer.parseInt(ts.get(i).getAttribute("v1"));
            t[3 * i + 1] = Integer.parseInt(ts.get(i).getAttribute("v2"));
            t[3 * i + 2] = Integer.parseInt(ts.get(i).getAttribute("v3"));
        }
        assertArrayEquals(m.triangles(), t);
    }

    @Test
    void severalNamedColouredSurfacesOneObjectEachAndEmptyOnesLeftOut() throws Exception {
        Mesh a = sphere();
        Mesh b = torus();
        Map<String, byte[]> parts = unzip(write(List.of(
                new ThreeMfWriter.Surface("left \"hippocampus\" & <amygdala>", 0xFF000080, a),
                new ThreeMfWriter.Surface("nothing here", 0x00FF00FF, Mesh.empty()),
                new ThreeMfWriter.Surface("ventricle \u00e9\u4e2d", 0x1020A0FF, b)), CoordinateSpace.LPS));
        Element model = xml(parts.get("3D/3dmodel.model")).getDocumentElement();
        List<Element> colours = children(model, ThreeMfWriter.MATERIAL_NS, "color");
        assertEquals(List.of("#FF000080", "#00FF00FF", "#1020A0FF"), colours.stream().map(c -> c.getAttribute("color")).toList());
        List<Element> objects = children(model, ThreeMfWriter.CORE_NS, "object");
        assertEquals(List.of("left \"hippocampus\" & <amygdala>", "ventricle \u00e9\u4e2d"), objects.stream().map(o -> o.getAttribute("name")).toList());
        assertEquals(List.of("0", "2"), objects.stream().map(o -> o.getAttribute("pindex")).toList());
        assertSameMesh(a, objects.get(0));
        assertSameMesh(b, objects.get(1));
        List<Element> items = children(model, ThreeMfWriter.CORE_NS, "item");
        assertEquals(objects.stream().map(o -> o.getAttribute("id")).toList(), items.stream().map(i -> i.getAttribute("objectid")).toList());
        String description = children(model, ThreeMfWriter.CORE_NS, "metadata").get(1).getTextContent();
        assertTrue(description.startsWith("SPACE=LPS"), description);
    }

    @Test
    void trianglesWithARepeatedVertexAreLeftOut() throws Exception {
        Mesh m = sphere();
        int[] t = java.util.Arrays.copyOf(m.triangles(), m.triangles().length + 3);
        t[t.length - 3] = 5;
        t[t.length - 2] = 5;
        t[t.length - 1] = 9;
        Map<String, byte[]> parts = unzip(write(List.of(new ThreeMfWriter.Surface("s", 0, new Mesh(m.positions(), t))), CoordinateSpace.RAS));
        Element o = children(xml(parts.get("3D/3dmodel.model")).getDocumentElement(), ThreeMfWriter.CORE_NS, "object").get(0);
        assertSameMesh(m, o);
    }

    @Test
    void theSameSurfacesGiveTheSameBytesInAnyTimeZone() throws Exception {
        List<ThreeMfWriter.Surface> s = List.of(new ThreeMfWriter.Surface("ball", ThreeMfWriter.DEFAULT_RGBA, sphere()));
        TimeZone before = TimeZone.getDefault();
        byte[] first;
        byte[] second;
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
            first = write(s, CoordinateSpace.RAS);
            TimeZone.setDefault(TimeZone.getTimeZone("America/Adak"));
            second = write(s, CoordinateSpace.RAS);
        } finally {
            TimeZone.setDefault(before);
        }
        assertArrayEquals(first, second);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(first))) {
            assertEquals(java.time.LocalDateTime.of(2020, 1, 1, 0, 0), in.getNextEntry().getTimeLocal());
        }
    }

    /**
     * A model of several deflate pieces (each compressed on its own, on any thread) gives the same
     * package on one thread or three; ZipFile (through the central directory) and ZipInputStream
     * (through the local headers and data descriptors) read the same parts from it, and lib3mf
     * finds the mesh with its very floats and indices.
     */
    @Test
    void aModelOfManyDeflatePiecesIsTheSameOnAnyNumberOfThreads() throws Exception {
        Mesh big = MarchingCubes.extract(SyntheticVolumes.create("sphere:120:50", VolumeLimits.defaults()), 0, true, 2);
        byte[] one = writeOn(big, 1);
        assertArrayEquals(one, writeOn(big, 3));
        Map<String, byte[]> parts = unzip(one);
        assertTrue(parts.get("3D/3dmodel.model").length > 3 * PiecewiseZip.PIECE, "only " + parts.get("3D/3dmodel.model").length + " bytes");
        Path file = dir.resolve("big.3mf");
        Files.write(file, one);
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            assertEquals(List.copyOf(parts.keySet()), zip.stream().map(ZipEntry::getName).toList());
            for (Map.Entry<String, byte[]> part : parts.entrySet()) {
                assertArrayEquals(part.getValue(), zip.getInputStream(zip.getEntry(part.getKey())).readAllBytes(), part.getKey());
            }
        }
        assertSameMesh(big, children(xml(parts.get("3D/3dmodel.model")).getDocumentElement(), ThreeMfWriter.CORE_NS, "object").get(0));
        String report = PrintJudges.lib3mf(PrintJudges.lib3mfChecker(dir), file);
        assertTrue(report.contains("warnings 0\n"), report);
        assertTrue(report.contains(objectLine("big", big, "#EDDBC2FF")), report);
    }

    private static byte[] writeOn(Mesh mesh, int threads) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ThreeMfWriter.Streaming w = new ThreeMfWriter.Streaming(List.of(ThreeMfWriter.DEFAULT_RGBA), CoordinateSpace.RAS, b, threads)) {
            w.add("big", mesh);
        }
        return b.toByteArray();
    }

    @Test
    void theCallersStreamStaysOpen() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        OutputStream watched = new java.io.FilterOutputStream(b) {
            @Override
            public void close() {
                throw new AssertionError("the writer closed the caller's stream");
            }
        };
        ThreeMfWriter.write(sphere(), null, CoordinateSpace.RAS, watched);
        Element o = children(xml(unzip(b.toByteArray()).get("3D/3dmodel.model")).getDocumentElement(), ThreeMfWriter.CORE_NS, "object").get(0);
        assertEquals("surface", o.getAttribute("name"));
    }

    /**
     * lib3mf, the 3MF Consortium's own library, reads the package in strict mode without warnings
     * and finds the objects, names, colours and manifold, oriented meshes, with the very same
     * floats and indices.
     */
    @Test
    void lib3mfReadsBackWhatWasWritten() throws Exception {
        Path checker = PrintJudges.lib3mfChecker(dir);
        Mesh a = sphere();
        Mesh b = torus();
        Path file = dir.resolve("two.3mf");
        Files.write(file, write(List.of(
                new ThreeMfWriter.Surface("left & <right>", 0xFF000080, a),
                new ThreeMfWriter.Surface("empty", 0x00FF00FF, Mesh.empty()),
                new ThreeMfWriter.Surface("ventricle \u00e9\u4e2d", 0x1020A0FF, b)), CoordinateSpace.RAS));
        String report = PrintJudges.lib3mf(checker, file);
        assertTrue(report.contains("warnings 0\n"), report);
        assertTrue(report.contains("unit 1\n"), report); // millimetre
        assertTrue(report.contains("objects 2\n"), report);
        assertTrue(report.contains("buildItems 2\n"), report);
        for (String line : List.of(objectLine("left & <right>", a, "#FF000080"), objectLine("ventricle \u00e9\u4e2d", b, "#1020A0FF"))) {
            assertTrue(report.contains(line + "\n"), "expected " + line + " in\n" + report);
        }
    }

    static String objectLine(String name, Mesh m, String colour) {
        return String.format(Locale.ROOT, "object name=%s vertices=%d triangles=%d manifold=1 color=%s triangleColor=%s vertexHash=%016x triangleHash=%016x",
                name, m.vertexCount(), m.triangleCount(), colour, colour, fnv(m.positions()), fnv(m.triangles()));
    }

    /** check3mf.cpp's FNV-1a over lib3mf's little-endian float32 and uint32 arrays. */
    static long fnv(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return fnv(b.array());
    }

    static long fnv(int[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return fnv(b.array());
    }

    static long fnv(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte x : bytes) {
            h ^= x & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
