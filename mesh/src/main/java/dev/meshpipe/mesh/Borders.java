package dev.meshpipe.mesh;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How the surface meets the edge of the volume. */
public enum Borders {
    /** Capped at the volume's edge, so the mesh is watertight. */
    CLOSED,
    /** Classic marching cubes: the surface stops open at the edge. */
    OPEN;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Borders parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
}
