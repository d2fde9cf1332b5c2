package dev.meshpipe.mesh;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

public enum MeshFormat {
    STL("stl"), PLY("ply"), OBJ("obj"), GLB("glb"),
    /** 3D Manufacturing Format: a ZIP package with the model as XML, for slicers and printers. */
    THREE_MF("3mf");

    /**
     * What a job without {@code formats} gets. 3MF is left out: it is for printing, and writing it
     * for every job would make every ZIP larger and every job slower (docs/api.md).
     */
    public static final List<MeshFormat> DEFAULTS = List.of(STL, PLY, OBJ, GLB);

    private final String json;

    MeshFormat(String json) {
        this.json = json;
    }

    @JsonValue
    public String json() {
        return json;
    }

    public String fileName() {
        return "mesh." + json;
    }

    /** By the JSON name, any case ("3mf", "STL"); "3MF" is no Java name, so not {@link #valueOf}. */
    public static MeshFormat parse(String s) {
        String wanted = s.trim().toLowerCase(Locale.ROOT);
        for (MeshFormat f : values()) {
            if (f.json.equals(wanted)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + s + "'");
    }

    /** The accepted names, for error messages: "stl, ply, obj, glb, 3mf". */
    public static String names() {
        return String.join(", ", java.util.Arrays.stream(values()).map(MeshFormat::json).toList());
    }
}
