package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * What a job asks for.
 *
 * @param iso     the isovalue as a decimal number, or {@code "auto"} (Otsu's threshold); null means
 *                the input's default (0 for signed-distance volumes, auto for scans)
 * @param borders closed (watertight, default) or open
 * @param formats mesh formats to write; null or empty means {@link MeshFormat#DEFAULTS} (all but 3mf)
 * @param name    a label for people, not used by the pipeline
 * @param space   the frame of the STL, PLY, OBJ and 3MF files: {@code ras} (default) or {@code lps};
 *                a string, not the enum, so a wrong value gets a clear INVALID_PARAMETER
 * @param series  for a DICOM input holding several series: the SeriesInstanceUID or SeriesNumber to mesh
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobParams(String iso, Borders borders, List<MeshFormat> formats, String name, String space, String series) {

    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_SERIES_LENGTH = 64;

    public JobParams(String iso, Borders borders, List<MeshFormat> formats, String name) {
        this(iso, borders, formats, name, null, null);
    }

    public static JobParams defaults() {
        return new JobParams(null, null, null, null);
    }

    public Borders bordersOrDefault() {
        return borders == null ? Borders.CLOSED : borders;
    }

    public List<MeshFormat> formatsOrDefault() {
        return formats == null || formats.isEmpty() ? MeshFormat.DEFAULTS : formats;
    }

    public CoordinateSpace spaceOrDefault() {
        return space == null ? CoordinateSpace.RAS : parseSpace(space);
    }

    public boolean isAutoIso() {
        return "auto".equalsIgnoreCase(iso);
    }

    /** Checks every field and returns a normalized copy, or throws INVALID_PARAMETER naming the field. */
    public JobParams validated() {
        String isoOut = iso;
        if (iso != null && !isAutoIso()) {
            double v;
            try {
                v = Double.parseDouble(iso.trim());
            } catch (NumberFormatException e) {
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "iso must be a number or 'auto', got '" + abbreviate(iso) + "'");
            }
            if (!Double.isFinite(v)) {
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "iso must be finite");
            }
            isoOut = iso.trim();
        } else if (iso != null) {
            isoOut = "auto";
        }
        List<MeshFormat> fs = null;
        if (formats != null && !formats.isEmpty()) {
            EnumSet<MeshFormat> seen = EnumSet.noneOf(MeshFormat.class);
            for (MeshFormat f : formats) {
                if (f == null) {
                    throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "formats contains an unknown format");
                }
                seen.add(f);
            }
            fs = new ArrayList<>(seen);
        }
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "name longer than " + MAX_NAME_LENGTH + " characters");
        }
        String spaceOut = space == null ? null : parseSpace(space).json();
        return new JobParams(isoOut, borders, fs, name, spaceOut, validSeries(series));
    }

    /** Parameters as text (a query string, command-line options), validated; MeshpipeException names the bad one. */
    public static JobParams fromText(String iso, String borders, String formatsCsv, String name) {
        return new JobParams(iso,
                borders == null ? null : parseBorders(borders),
                formatsCsv == null ? null : parseFormats(formatsCsv),
                name).validated();
    }

    /** A DICOM UID (digits and dots, at most 64) or a series number; blank means none. */
    static String validSeries(String series) {
        if (series == null || series.isBlank()) {
            return null;
        }
        String s = series.trim();
        if (s.length() > MAX_SERIES_LENGTH || !s.matches("[0-9.]+")) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER,
                    "series must be a SeriesInstanceUID or a SeriesNumber (digits and dots, at most 64), got '" + abbreviate(s) + "'");
        }
        return s;
    }

    /** Parses the comma-separated {@code formats} query form, e.g. {@code stl,glb}. */
    public static List<MeshFormat> parseFormats(String csv) {
        List<MeshFormat> out = new ArrayList<>();
        for (String part : csv.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                out.add(MeshFormat.parse(part));
            } catch (IllegalArgumentException e) {
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "unknown format '" + abbreviate(part) + "' (expected " + MeshFormat.names() + ")");
            }
        }
        return out;
    }

    public static Borders parseBorders(String s) {
        try {
            return Borders.parse(s);
        } catch (IllegalArgumentException e) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "borders must be 'closed' or 'open', got '" + abbreviate(s) + "'");
        }
    }

    /** A job's {@code space}: ras or lps, any case. GRID is the mesh command's own and no job's. */
    public static CoordinateSpace parseSpace(String s) {
        String v = s.trim();
        if (v.equalsIgnoreCase("ras")) {
            return CoordinateSpace.RAS;
        }
        if (v.equalsIgnoreCase("lps")) {
            return CoordinateSpace.LPS;
        }
        throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "space must be 'ras' or 'lps', got '" + abbreviate(s) + "'");
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
