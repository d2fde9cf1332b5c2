package dev.meshpipe.mesh.out;

import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.Mesh;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * 3D Manufacturing Format (3MF core specification 1.3, materials extension 1.2): an OPC package
 * (a ZIP) whose {@code 3D/3dmodel.model} holds one mesh object per surface, in millimetres, each
 * with its name and its colour from one {@code m:colorgroup}. Streamed: nothing but a few
 * buffers of at most 512 KiB is held, whatever the mesh's size, and the model may be deflated on
 * several threads ({@link PiecewiseZip}). Entry times are fixed, so equal meshes give equal
 * bytes, whatever the thread count.
 */
public final class ThreeMfWriter {
    static final String CORE_NS = "http://schemas.microsoft.com/3dmanufacturing/core/2015/02";
    static final String MATERIAL_NS = "http://schemas.microsoft.com/3dmanufacturing/material/2015/02";
    static final String MODEL_PATH = "3D/3dmodel.model";
    /** The preview's surface colour (#EDDBC2), opaque. */
    public static final int DEFAULT_RGBA = 0xEDDBC2FF;
    /**
     * Deflate level of the model part, where nearly all the time goes. ch2's 98.5 MB of XML
     * (1.47 M triangles): level 1 took 1.0-1.9 s for 18.7 MB, level 6 4.6-9.0 s for 14.6 MB, in
     * the same runs (docs/api.md).
     */
    static final int LEVEL = 1;

    private ThreeMfWriter() {}

    /**
     * One object of the model.
     *
     * @param name shown by slicers; any text (escaped here)
     * @param rgba sRGB colour and alpha as 0xRRGGBBAA
     * @param mesh wound counter-clockwise seen from outside, as 3MF requires
     */
    public record Surface(String name, int rgba, Mesh mesh) {
        public Surface {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(mesh, "mesh");
        }
    }

    /** One surface named {@code name} (or "surface" when null or blank) in the default colour. */
    public static void write(Mesh mesh, String name, CoordinateSpace space, OutputStream os) throws IOException {
        write(mesh, name, space, os, 1);
    }

    /** As {@link #write(Mesh, String, CoordinateSpace, OutputStream)}, deflated on {@code threads} (the bytes do not depend on them). */
    public static void write(Mesh mesh, String name, CoordinateSpace space, OutputStream os, int threads) throws IOException {
        String label = name == null || name.isBlank() ? "surface" : name;
        try (Streaming w = new Streaming(List.of(DEFAULT_RGBA), space, os, threads)) {
            w.add(label, mesh);
        }
    }

    /**
     * Writes every surface with triangles as an object and a build item, in the order given;
     * surfaces without triangles are left out (3MF has no empty mesh object). {@code space} is
     * what the coordinates are in, stated in the model's Description metadata.
     */
    public static void write(List<Surface> surfaces, CoordinateSpace space, OutputStream os) throws IOException {
        try (Streaming w = new Streaming(surfaces.stream().map(Surface::rgba).toList(), space, os)) {
            for (Surface s : surfaces) {
                w.add(s.name(), s.mesh());
            }
        }
    }

    /**
     * The same package written one object at a time, for callers that mesh surfaces one at a time
     * (a label map's structures) and should not hold them all: the colours go first, in the colour
     * group, so they are given up front; then {@link #add} once per colour, in that order.
     */
    public static final class Streaming implements java.io.Closeable {
        private final PiecewiseZip zip;
        private final OutputStream model;
        private final TextOut out;
        private final int count;
        private final java.util.BitSet written = new java.util.BitSet();
        private int next;
        private boolean closed;

        public Streaming(List<Integer> rgba, CoordinateSpace space, OutputStream os) throws IOException {
            this(rgba, space, os, 1);
        }

        /**
         * @param threads deflate the model on this many threads (the bytes do not depend on it);
         *                they are the writer's own, ended by {@link #close}
         */
        public Streaming(List<Integer> rgba, CoordinateSpace space, OutputStream os, int threads) throws IOException {
            this.count = rgba.size();
            zip = new PiecewiseZip(os, LEVEL, threads);
            packageParts(zip);
            model = zip.entry(MODEL_PATH);
            out = new TextOut(model);
            out.ascii("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<model unit=\"millimeter\" xml:lang=\"en-US\" xmlns=\"")
                    .ascii(CORE_NS).ascii("\" xmlns:m=\"").ascii(MATERIAL_NS).ascii("\">\n")
                    .ascii(" <metadata name=\"Application\">meshpipe</metadata>\n")
                    .ascii(" <metadata name=\"Description\">").xml(describe(space)).ascii("</metadata>\n")
                    .ascii(" <resources>\n");
            if (!rgba.isEmpty()) {
                out.ascii("  <m:colorgroup id=\"1\">\n");
                for (int c : rgba) {
                    out.ascii("   <m:color color=\"").ascii(colour(c)).ascii("\"/>\n");
                }
                out.ascii("  </m:colorgroup>\n");
            }
        }

        /** The next surface, in the colour given for it; one without triangles is left out. */
        public void add(String name, Mesh mesh) throws IOException {
            Objects.requireNonNull(name, "name");
            if (next >= count) {
                throw new IllegalStateException("more surfaces than colours");
            }
            int i = next++;
            if (mesh.triangleCount() == 0) {
                return;
            }
            out.ascii("  <object id=\"").integer(objectId(i)).ascii("\" type=\"model\" name=\"").xml(name)
                    .ascii("\" pid=\"1\" pindex=\"").integer(i).ascii("\">\n   <mesh>\n");
            mesh(mesh, out);
            out.ascii("   </mesh>\n  </object>\n");
            written.set(i);
        }

        /** Ends the package; again is a no-op. */
        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            out.ascii(" </resources>\n <build>\n");
            for (int i = written.nextSetBit(0); i >= 0; i = written.nextSetBit(i + 1)) {
                out.ascii("  <item objectid=\"").integer(objectId(i)).ascii("\"/>\n");
            }
            out.ascii(" </build>\n</model>\n");
            out.flush();
            model.close();
            zip.close();
        }
    }

    private static void packageParts(PiecewiseZip zip) throws IOException {
        smallPart(zip, "[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
                 <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
                 <Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/>
                </Types>
                """);
        smallPart(zip, "_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                 <Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/>
                </Relationships>
                """);
    }

    /** Object ids start after the colour group's id 1. */
    private static int objectId(int surfaceIndex) {
        return surfaceIndex + 2;
    }

    /** Vertex and triangle lines go unindented: millions of them, and every byte is deflated. */
    private static void mesh(Mesh mesh, TextOut out) throws IOException {
        float[] p = mesh.positions();
        out.ascii("    <vertices>\n");
        for (int i = 0; i < p.length; i += 3) {
            out.ascii("<vertex x=\"").decimal(p[i]).ascii("\" y=\"").decimal(p[i + 1]).ascii("\" z=\"").decimal(p[i + 2]).ascii("\"/>\n");
        }
        out.ascii("    </vertices>\n    <triangles>\n");
        int[] t = mesh.triangles();
        for (int i = 0; i < t.length; i += 3) {
            int a = t[i];
            int b = t[i + 1];
            int c = t[i + 2];
            // 3MF forbids a repeated vertex; such a triangle has no area, and its two uses of its
            // one real edge cancel, so leaving it out keeps a closed surface closed.
            if (a == b || b == c || a == c) {
                continue;
            }
            out.ascii("<triangle v1=\"").integer(a).ascii("\" v2=\"").integer(b).ascii("\" v3=\"").integer(c).ascii("\"/>\n");
        }
        out.ascii("    </triangles>\n");
    }

    static String describe(CoordinateSpace space) {
        return switch (space) {
            case RAS -> "SPACE=RAS: millimetres, x to the right, y anterior, z superior";
            case LPS -> "SPACE=LPS: millimetres, x to the left, y posterior, z superior";
            case GRID -> "voxel index times spacing, millimetres (no anatomical frame)";
        };
    }

    static String colour(int rgba) {
        return String.format(Locale.ROOT, "#%08X", rgba);
    }

    private static void smallPart(PiecewiseZip zip, String name, String text) throws IOException {
        zip.entry(name, text.getBytes(StandardCharsets.UTF_8));
    }
}
