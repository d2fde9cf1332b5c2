package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

public enum MeshFormat {
    STL, PLY, OBJ, GLB;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String fileName() {
        return "mesh." + json();
    }

    public static MeshFormat parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
