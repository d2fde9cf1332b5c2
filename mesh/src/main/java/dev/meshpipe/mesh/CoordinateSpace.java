package dev.meshpipe.mesh;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The frame mesh files are written in; every one is in millimetres. */
public enum CoordinateSpace {
    /** RAS+, NIfTI's world and 3D Slicer's: x grows to the patient's right, y anterior, z superior. */
    RAS,
    /** LPS+: RAS with x and y negated, as DICOM, ITK and recent 3D Slicer files use. */
    LPS,
    /**
     * Voxel index times spacing, no orientation (as VTK's vtkMarchingCubes gives); only the
     * {@code mesh} command offers it, for comparisons with VTK. It is no anatomical frame, so
     * files written in it carry no SPACE tag.
     */
    GRID;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** 3D Slicer's tag for the file header ("SPACE=RAS"), or null for GRID, which has none. */
    public String headerTag() {
        return this == GRID ? null : "SPACE=" + name();
    }
}
