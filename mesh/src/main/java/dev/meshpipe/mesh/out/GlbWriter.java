package dev.meshpipe.mesh.out;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshpipe.mesh.Mesh;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;


/**
 * glTF 2.0 binary: one mesh with POSITION, NORMAL (area-weighted, unit) and uint32 indices.
 * The positions stay in world millimetres (RAS+: x to the patient's right, y anterior, z
 * superior), and the node's transform makes them what glTF expects: metres (scale 0.001), +Y
 * up, the front facing +Z and the asset's right at -X. So a viewer shows a head upright and
 * facing the camera, as the preview does, at its real size (in AR too).
 */
public final class GlbWriter {
    private static final int ARRAY_BUFFER = 34962;
    private static final int ELEMENT_ARRAY_BUFFER = 34963;
    private static final int FLOAT = 5126;
    private static final int UNSIGNED_INT = 5125;

    private GlbWriter() {}

    public static void write(Mesh mesh, OutputStream os) throws IOException {
        float[] p = mesh.positions();
        int[] t = mesh.triangles();
        boolean hasMesh = mesh.triangleCount() > 0;
        long posBytes = 4L * p.length;
        long idxBytes = 4L * t.length;
        long binLength = hasMesh ? 2 * posBytes + idxBytes : 0;

        ObjectNode root = MeshJson.MAPPER.createObjectNode();
        root.putObject("asset").put("version", "2.0").put("generator", "meshpipe");
        root.put("scene", 0);
        root.putArray("scenes").addObject().putArray("nodes").add(0);
        ObjectNode node = root.putArray("nodes").addObject();
        node.put("name", "mesh");
        // (x, y, z) RAS -> (-x, z, y) glTF: a half turn about (0, 1, 1)/sqrt(2).
        node.putArray("rotation").add(0.0).add(Math.sqrt(0.5)).add(Math.sqrt(0.5)).add(0.0);
        node.putArray("scale").add(0.001).add(0.001).add(0.001);
        if (hasMesh) {
            node.put("mesh", 0);
            ObjectNode prim = root.putArray("meshes").addObject().putArray("primitives").addObject();
            prim.putObject("attributes").put("POSITION", 0).put("NORMAL", 1);
            prim.put("indices", 2).put("mode", 4);
            root.putArray("buffers").addObject().put("byteLength", binLength);
            ArrayNode views = root.putArray("bufferViews");
            views.addObject().put("buffer", 0).put("byteOffset", 0).put("byteLength", posBytes).put("target", ARRAY_BUFFER);
            views.addObject().put("buffer", 0).put("byteOffset", posBytes).put("byteLength", posBytes).put("target", ARRAY_BUFFER);
            views.addObject().put("buffer", 0).put("byteOffset", 2 * posBytes).put("byteLength", idxBytes).put("target", ELEMENT_ARRAY_BUFFER);
            ArrayNode acc = root.putArray("accessors");
            ObjectNode pos = acc.addObject().put("bufferView", 0).put("componentType", FLOAT).put("count", mesh.vertexCount()).put("type", "VEC3");
            bounds(p, pos);
            acc.addObject().put("bufferView", 1).put("componentType", FLOAT).put("count", mesh.vertexCount()).put("type", "VEC3");
            acc.addObject().put("bufferView", 2).put("componentType", UNSIGNED_INT).put("count", t.length).put("type", "SCALAR");
        }
        byte[] json = MeshJson.MAPPER.writeValueAsBytes(root);
        try (LittleEndianOut out = new LittleEndianOut(os)) {
            writeHead(out, json, binLength, "mesh");
            if (hasMesh) {
                for (float v : p) {
                    out.putFloat(v);
                }
                for (float v : Normals.vertex(p, t)) {
                    out.putFloat(v);
                }
                for (int v : t) {
                    out.putInt(v);
                }
            }
        }
    }


    /** Several surfaces (a label map's structures) in one GLB: see {@link Scene}. */
    public static void write(List<ThreeMfWriter.Surface> surfaces, OutputStream os) throws IOException {
        try (Scene scene = new Scene()) {
            for (ThreeMfWriter.Surface s : surfaces) {
                scene.add(s.name(), s.rgba(), s.mesh());
            }
            scene.writeTo(os);
        }
    }

    /**
     * A scene of named surfaces, each its own node, mesh and material (base colour from the
     * surface's sRGB colour, made linear as glTF's baseColorFactor is; alpha below 255 blends),
     * all children of one node holding the frame transform of {@link #write(Mesh, OutputStream)}.
     * The binary chunk is spilled to a temporary file as surfaces come, because GLB puts the JSON
     * (with every accessor's count and bounds) first: so a caller meshing one surface at a time
     * holds one surface, not all of them.
     */
    public static final class Scene implements java.io.Closeable {
        private final Path spill;
        private final OutputStream spillStream;
        private final LittleEndianOut bin;
        private long binLength;
        private final ObjectNode root = MeshJson.MAPPER.createObjectNode();
        private final ObjectNode top;
        private final ArrayNode children;
        private final ArrayNode nodes;
        private final ArrayNode meshes = MeshJson.MAPPER.createArrayNode();
        private final ArrayNode materials = MeshJson.MAPPER.createArrayNode();
        private final ArrayNode views = MeshJson.MAPPER.createArrayNode();
        private final ArrayNode accessors = MeshJson.MAPPER.createArrayNode();

        public Scene() throws IOException {
            spill = Files.createTempFile("meshpipe-glb-", ".bin");
            spillStream = Files.newOutputStream(spill);
            bin = new LittleEndianOut(spillStream);
            root.putObject("asset").put("version", "2.0").put("generator", "meshpipe");
            root.put("scene", 0);
            root.putArray("scenes").addObject().putArray("nodes").add(0);
            nodes = root.putArray("nodes");
            top = nodes.addObject();
            top.put("name", "structures");
            top.putArray("rotation").add(0.0).add(Math.sqrt(0.5)).add(Math.sqrt(0.5)).add(0.0);
            top.putArray("scale").add(0.001).add(0.001).add(0.001);
            children = top.putArray("children");
        }

        /** @param rgba sRGB colour and alpha as 0xRRGGBBAA */
        public void add(String name, int rgba, Mesh mesh) throws IOException {
            ObjectNode node = nodes.addObject();
            node.put("name", name);
            children.add(nodes.size() - 1);
            if (mesh.triangleCount() == 0) {
                return;
            }
            int material = materials.size();
            ObjectNode mat = materials.addObject();
            mat.put("name", name);
            ObjectNode pbr = mat.putObject("pbrMetallicRoughness");
            pbr.putArray("baseColorFactor").add(linear(rgba >>> 24)).add(linear(rgba >>> 16 & 255)).add(linear(rgba >>> 8 & 255))
                    .add((rgba & 255) / 255.0);
            pbr.put("metallicFactor", 0.0).put("roughnessFactor", 0.6);
            if ((rgba & 255) < 255) {
                mat.put("alphaMode", "BLEND");
            }
            float[] p = mesh.positions();
            int[] t = mesh.triangles();
            long posBytes = 4L * p.length;
            int view = views.size();
            views.addObject().put("buffer", 0).put("byteOffset", binLength).put("byteLength", posBytes).put("target", ARRAY_BUFFER);
            views.addObject().put("buffer", 0).put("byteOffset", binLength + posBytes).put("byteLength", posBytes).put("target", ARRAY_BUFFER);
            views.addObject().put("buffer", 0).put("byteOffset", binLength + 2 * posBytes).put("byteLength", 4L * t.length)
                    .put("target", ELEMENT_ARRAY_BUFFER);
            int acc = accessors.size();
            ObjectNode pos = accessors.addObject().put("bufferView", view).put("componentType", FLOAT).put("count", mesh.vertexCount()).put("type", "VEC3");
            bounds(p, pos);
            accessors.addObject().put("bufferView", view + 1).put("componentType", FLOAT).put("count", mesh.vertexCount()).put("type", "VEC3");
            accessors.addObject().put("bufferView", view + 2).put("componentType", UNSIGNED_INT).put("count", t.length).put("type", "SCALAR");
            ObjectNode prim = meshes.addObject().put("name", name).putArray("primitives").addObject();
            prim.putObject("attributes").put("POSITION", acc).put("NORMAL", acc + 1);
            prim.put("indices", acc + 2).put("mode", 4).put("material", material);
            node.put("mesh", meshes.size() - 1);
            for (float v : p) {
                bin.putFloat(v);
            }
            for (float v : Normals.vertex(p, t)) {
                bin.putFloat(v);
            }
            for (int v : t) {
                bin.putInt(v);
            }
            binLength += 2 * posBytes + 4L * t.length;
        }

        public void writeTo(OutputStream os) throws IOException {
            bin.close();
            spillStream.close();
            if (children.isEmpty()) {
                top.remove("children"); // glTF forbids an empty array
            }
            if (binLength > 0) {
                root.set("meshes", meshes);
                root.set("materials", materials);
                root.putArray("buffers").addObject().put("byteLength", binLength);
                root.set("bufferViews", views);
                root.set("accessors", accessors);
            }
            byte[] json = MeshJson.MAPPER.writeValueAsBytes(root);
            try (LittleEndianOut out = new LittleEndianOut(os)) {
                writeHead(out, json, binLength, "surfaces");
                if (binLength > 0) {
                    out.flush();
                    try (InputStream in = Files.newInputStream(spill)) {
                        in.transferTo(os);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            spillStream.close();
            Files.deleteIfExists(spill);
        }

        private static double linear(int srgb) {
            double c = srgb / 255.0;
            double l = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
            return Math.round(l * 1e6) / 1e6;
        }
    }

    /**
     * The GLB header, the JSON chunk (padded with spaces) and, when {@code binLength} is above 0,
     * the binary chunk's header; the caller writes the binary chunk's bytes after it.
     *
     * @param what names the content in the too-large message
     */
    private static void writeHead(LittleEndianOut out, byte[] json, long binLength, String what) throws IOException {
        int jsonPadded = (json.length + 3) & ~3;
        long total = 12 + 8 + jsonPadded + (binLength > 0 ? 8 + binLength : 0);
        if (total > 0xFFFFFFFFL) {
            throw new IOException(what + " too large for GLB (" + total + " bytes)");
        }
        out.putInt(0x46546C67); // "glTF"
        out.putInt(2);
        out.putInt((int) total);
        out.putInt(jsonPadded);
        out.putInt(0x4E4F534A); // "JSON"
        out.put(json);
        for (int i = json.length; i < jsonPadded; i++) {
            out.put((byte) ' ');
        }
        if (binLength > 0) {
            out.putInt((int) binLength);
            out.putInt(0x004E4942); // "BIN\0"
        }
    }

    private static void bounds(float[] p, ObjectNode accessor) {
        float[] min = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
        float[] max = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
        for (int i = 0; i < p.length; i += 3) {
            for (int a = 0; a < 3; a++) {
                min[a] = Math.min(min[a], p[i + a]);
                max[a] = Math.max(max[a], p[i + a]);
            }
        }
        ArrayNode mn = accessor.putArray("min");
        ArrayNode mx = accessor.putArray("max");
        for (int a = 0; a < 3; a++) {
            mn.add(min[a]);
            mx.add(max[a]);
        }
    }
}
