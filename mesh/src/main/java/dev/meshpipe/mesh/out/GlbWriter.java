package dev.meshpipe.mesh.out;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshpipe.mesh.Mesh;
import java.io.IOException;
import java.io.OutputStream;


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
            float[] min = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
            float[] max = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
            for (int i = 0; i < p.length; i += 3) {
                for (int a = 0; a < 3; a++) {
                    min[a] = Math.min(min[a], p[i + a]);
                    max[a] = Math.max(max[a], p[i + a]);
                }
            }
            ArrayNode mn = pos.putArray("min");
            ArrayNode mx = pos.putArray("max");
            for (int a = 0; a < 3; a++) {
                mn.add(min[a]);
                mx.add(max[a]);
            }
            acc.addObject().put("bufferView", 1).put("componentType", FLOAT).put("count", mesh.vertexCount()).put("type", "VEC3");
            acc.addObject().put("bufferView", 2).put("componentType", UNSIGNED_INT).put("count", t.length).put("type", "SCALAR");
        }
        byte[] json = MeshJson.MAPPER.writeValueAsBytes(root);
        int jsonPadded = (json.length + 3) & ~3;
        long total = 12 + 8 + jsonPadded + (hasMesh ? 8 + binLength : 0);
        if (total > 0xFFFFFFFFL) {
            throw new IOException("mesh too large for GLB (" + total + " bytes)");
        }
        try (LittleEndianOut out = new LittleEndianOut(os)) {
            out.putInt(0x46546C67); // "glTF"
            out.putInt(2);
            out.putInt((int) total);
            out.putInt(jsonPadded);
            out.putInt(0x4E4F534A); // "JSON"
            out.put(json);
            for (int i = json.length; i < jsonPadded; i++) {
                out.put((byte) ' ');
            }
            if (hasMesh) {
                out.putInt((int) binLength);
                out.putInt(0x004E4942); // "BIN\0"
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

}
