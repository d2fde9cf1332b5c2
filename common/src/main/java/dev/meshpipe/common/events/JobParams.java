package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.Borders;
import dev.meshpipe.mesh.CoordinateSpace;
import dev.meshpipe.mesh.Iso;
import dev.meshpipe.mesh.MeshFormat;
import dev.meshpipe.mesh.MeshOptions;
import dev.meshpipe.mesh.finish.Finishing;
import dev.meshpipe.mesh.labels.ColorTable;
import dev.meshpipe.mesh.labels.LabelSelection;
import dev.meshpipe.common.MeshErrors;
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
 * @param preset  the finishing preset: raw (default), smooth, print or web
 * @param smoothing overrides the preset's smoothing: {@code off}, Slicer's factor 0..1, or
 *                {@code ITERATIONS:PASSBAND} (e.g. {@code 20:0.1})
 * @param decimate overrides the preset's decimation target: {@code off}, a fraction of the
 *                triangles in (0, 1], or a triangle count above 1
 * @param maxError the decimation's error bound in mm (overrides the preset's)
 * @param keepLargest keep only the component enclosing the most volume
 * @param fillCavities remove internal cavities (closed inward-facing surfaces)
 * @param minComponentVolume drop components enclosing less than this many mm^3
 * @param mode    {@code surface} (an isosurface), {@code labels} (one surface per label of a label
 *                map) or {@code auto}; null means auto: the recognition rule decides and quality.json
 *                says which mode ran and why
 * @param labels  in label mode, the labels to mesh, e.g. {@code 1,3,5-9}; null or {@code all}: every one
 * @param minVoxels in label mode, drop structures of fewer voxels
 * @param colors  in label mode, a colour table's text (ITK-SNAP, FreeSurfer/Slicer, mricron, JSON)
 * @param callbackUrl where the gateway POSTs the job's status once it is SUCCEEDED, FAILED or
 *                CANCELLED (docs/api.md, "Completion webhooks"); not used by the meshing stages
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobParams(String iso, Borders borders, List<MeshFormat> formats, String name, String space, String series,
                        String preset, String smoothing, String decimate, Double maxError,
                        Boolean keepLargest, Boolean fillCavities, Double minComponentVolume,
                        String mode, String labels, Long minVoxels, String colors, String callbackUrl) {

    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_SERIES_LENGTH = 64;
    public static final List<String> PRESETS = List.of("raw", "smooth", "print", "web");
    public static final int MAX_SMOOTHING_ITERATIONS = 1000;
    public static final List<String> MODES = List.of("auto", "surface", "labels");
    /** A colour table for 1,000 labels with long names fits; the submission's own size limit applies too. */
    public static final int MAX_COLORS_LENGTH = 256 * 1024;
    public static final int MAX_LABELS_LENGTH = 4096;

    /** The parameters a job had before completion webhooks: no callback. */
    public JobParams(String iso, Borders borders, List<MeshFormat> formats, String name, String space, String series,
                     String preset, String smoothing, String decimate, Double maxError,
                     Boolean keepLargest, Boolean fillCavities, Double minComponentVolume,
                     String mode, String labels, Long minVoxels, String colors) {
        this(iso, borders, formats, name, space, series, preset, smoothing, decimate, maxError, keepLargest, fillCavities,
                minComponentVolume, mode, labels, minVoxels, colors, null);
    }

    /** The parameters a job had before label maps: those unset (mode auto). */
    public JobParams(String iso, Borders borders, List<MeshFormat> formats, String name, String space, String series,
                     String preset, String smoothing, String decimate, Double maxError,
                     Boolean keepLargest, Boolean fillCavities, Double minComponentVolume) {
        this(iso, borders, formats, name, space, series, preset, smoothing, decimate, maxError, keepLargest, fillCavities,
                minComponentVolume, null, null, null, null);
    }

    /** The parameters a job had before space, series and finishing existed: those unset (preset raw). */
    public JobParams(String iso, Borders borders, List<MeshFormat> formats, String name) {
        this(iso, borders, formats, name, null, null, null, null, null, null, null, null, null);
    }

    public static JobParams defaults() {
        return new JobParams(null, null, null, null);
    }

    /** A copy with the output frame and the DICOM series replaced (null leaves a field unset). */
    public JobParams withSpaceAndSeries(String space, String series) {
        return new JobParams(iso, borders, formats, name, space, series, preset, smoothing, decimate, maxError, keepLargest,
                fillCavities, minComponentVolume, mode, labels, minVoxels, colors, callbackUrl);
    }

    /** A copy with the finishing fields replaced (null leaves a field unset). */
    public JobParams withFinishing(String preset, String smoothing, String decimate, Double maxError,
                                   Boolean keepLargest, Boolean fillCavities, Double minComponentVolume) {
        return new JobParams(iso, borders, formats, name, space, series, preset, smoothing, decimate, maxError, keepLargest,
                fillCavities, minComponentVolume, mode, labels, minVoxels, colors, callbackUrl);
    }

    /** A copy with the label-map fields replaced (null leaves a field unset). */
    public JobParams withLabels(String mode, String labels, Long minVoxels, String colors) {
        return new JobParams(iso, borders, formats, name, space, series, preset, smoothing, decimate, maxError, keepLargest,
                fillCavities, minComponentVolume, mode, labels, minVoxels, colors, callbackUrl);
    }

    /** A copy with the completion webhook's URL replaced (null: none). */
    public JobParams withCallbackUrl(String url) {
        return new JobParams(iso, borders, formats, name, space, series, preset, smoothing, decimate, maxError, keepLargest,
                fillCavities, minComponentVolume, mode, labels, minVoxels, colors, url);
    }

    /**
     * Parses {@code off}, a factor in [0, 1] (3D Slicer's: 20 iterations, passband 10^(-4 factor);
     * 0 means off) or {@code ITERATIONS:PASSBAND}.
     */
    public static Finishing.Smoothing parseSmoothing(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("off") || v.equals("none")) {
            return Finishing.Smoothing.OFF;
        }
        int colon = v.indexOf(':');
        try {
            if (colon < 0) {
                double f = Double.parseDouble(v);
                if (!(f >= 0 && f <= 1)) {
                    throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "smoothing factor must be 0 to 1, got " + abbreviate(s));
                }
                return f == 0 ? Finishing.Smoothing.OFF : new Finishing.Smoothing(20, Math.pow(10.0, -4.0 * f), f);
            }
            int it = Integer.parseInt(v.substring(0, colon).trim());
            double pb = Double.parseDouble(v.substring(colon + 1).trim());
            if (it < 0 || it > MAX_SMOOTHING_ITERATIONS) {
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "smoothing iterations must be 0 to " + MAX_SMOOTHING_ITERATIONS + ", got " + it);
            }
            if (!(pb > 0 && pb < 2)) {
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "smoothing passband must be above 0 and below 2, got " + abbreviate(v.substring(colon + 1).trim()));
            }
            return it == 0 ? Finishing.Smoothing.OFF : new Finishing.Smoothing(it, pb, null);
        } catch (NumberFormatException e) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER,
                    "smoothing must be 'off', a factor 0 to 1, or ITERATIONS:PASSBAND such as 20:0.1, got '" + abbreviate(s) + "'");
        }
    }

    /** Parses {@code off}, a fraction in (0, 1] (1 means none) or a whole triangle count above 1. */
    public static Finishing.Decimation parseDecimate(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("off") || v.equals("none")) {
            return Finishing.Decimation.OFF;
        }
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        if (d > 0 && d <= 1) {
            return d == 1 ? Finishing.Decimation.OFF : new Finishing.Decimation(d, 0);
        }
        if (d > 1 && d <= Long.MAX_VALUE && d == Math.rint(d)) {
            return new Finishing.Decimation(0, (long) d);
        }
        throw new MeshpipeException(ErrorCode.INVALID_PARAMETER,
                "decimate must be 'off', a fraction of the triangles above 0 and at most 1, or a whole triangle count, got '" + abbreviate(s) + "'");
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

    /**
     * The parameters of an upload, each from the query parameter of its JSON name (a
     * {@code null} answer leaves it unset), validated. The one place the query form is read, next
     * to the fields, so a new parameter is added here and in the record together.
     */
    public static JobParams fromQuery(java.util.function.UnaryOperator<String> query) {
        String borders = query.apply("borders");
        String formats = query.apply("formats");
        return new JobParams(query.apply("iso"),
                borders == null ? null : parseBorders(borders),
                formats == null ? null : parseFormats(formats),
                query.apply("name"), query.apply("space"), query.apply("series"),
                query.apply("preset"), query.apply("smoothing"), query.apply("decimate"),
                parseNumber("maxError", query.apply("maxError")),
                parseFlag("keepLargest", query.apply("keepLargest")),
                parseFlag("fillCavities", query.apply("fillCavities")),
                parseNumber("minComponentVolume", query.apply("minComponentVolume")),
                query.apply("mode"), query.apply("labels"), parseCount("minVoxels", query.apply("minVoxels")),
                query.apply("colors"), query.apply("callbackUrl")).validated();
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
        String presetOut = null;
        if (preset != null) {
            presetOut = preset.trim().toLowerCase(java.util.Locale.ROOT);
            if (!PRESETS.contains(presetOut)) {
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "preset must be one of raw, smooth, print, web, got '" + abbreviate(preset) + "'");
            }
        }
        if (smoothing != null) {
            parseSmoothing(smoothing);
        }
        if (decimate != null) {
            parseDecimate(decimate);
        }
        if (maxError != null && !(maxError > 0 && Double.isFinite(maxError))) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "maxError must be a distance in mm above 0, got " + maxError);
        }
        if (minComponentVolume != null && !(minComponentVolume >= 0 && Double.isFinite(minComponentVolume))) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "minComponentVolume must be a volume in mm^3, 0 or more, got " + minComponentVolume);
        }
        String spaceOut = space == null ? null : parseSpace(space).json();
        String modeOut = mode == null ? null : parseMode(mode).json();
        String labelsOut = labels == null ? null : labels.trim();
        if (labelsOut != null) {
            parseLabels(labelsOut);
        }
        if (minVoxels != null && minVoxels < 0) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "minVoxels must be a voxel count, 0 or more, got " + minVoxels);
        }
        if (colors != null) {
            parseColors(colors);
        }
        return new JobParams(isoOut, borders, fs, name, spaceOut, validSeries(series), presetOut, smoothing == null ? null : smoothing.trim(),
                decimate == null ? null : decimate.trim(), maxError, keepLargest, fillCavities, minComponentVolume,
                modeOut, labelsOut, minVoxels, colors, callbackUrl == null ? null : CallbackUrl.validated(callbackUrl));
    }

    /** auto, surface or labels, any case. */
    public static MeshOptions.Mode parseMode(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (!MODES.contains(v)) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "mode must be auto, surface or labels, got '" + abbreviate(s) + "'");
        }
        return MeshOptions.Mode.valueOf(v.toUpperCase(java.util.Locale.ROOT));
    }

    /** {@code 1,3,5-9}, or all. */
    public static LabelSelection parseLabels(String s) {
        if (s.length() > MAX_LABELS_LENGTH) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "labels longer than " + MAX_LABELS_LENGTH + " characters");
        }
        return MeshErrors.call(() -> LabelSelection.parse(s));
    }

    /** A colour table's text in any format {@link ColorTable#parse(String)} detects. */
    public static ColorTable parseColors(String s) {
        if (s.length() > MAX_COLORS_LENGTH) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "colors longer than " + MAX_COLORS_LENGTH + " characters");
        }
        return MeshErrors.call(() -> ColorTable.parse(s));
    }

    /** Parses a query parameter's whole count; null stays null. */
    public static Long parseCount(String field, String s) {
        if (s == null) {
            return null;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, field + " must be a whole number, got '" + abbreviate(s) + "'");
        }
    }

    /**
     * The mesh library's options for this job, every string parsed once here: validates (throwing
     * INVALID_PARAMETER naming the field) and converts. The processor and {@code meshpipe mesh}
     * both call this; nothing after it parses a parameter again.
     */
    public MeshOptions toMeshOptions() {
        JobParams v = validated();
        Iso isoValue = v.iso == null ? Iso.DEFAULT : v.isAutoIso() ? Iso.AUTO : Iso.of(Double.parseDouble(v.iso));
        Finishing.Options finishing = Finishing.Options.preset(v.preset).with(
                v.smoothing == null ? null : parseSmoothing(v.smoothing),
                v.decimate == null ? null : parseDecimate(v.decimate),
                v.maxError, v.keepLargest, v.fillCavities, v.minComponentVolume);
        LabelSelection selection = (v.labels == null ? LabelSelection.all() : parseLabels(v.labels))
                .withMinVoxels(v.minVoxels == null ? 0 : v.minVoxels);
        MeshOptions.Labels labelOptions = new MeshOptions.Labels(v.mode == null ? MeshOptions.Mode.AUTO : parseMode(v.mode),
                selection, v.colors == null ? null : parseColors(v.colors), v.formats);
        return new MeshOptions(isoValue, v.borders, v.formats, v.spaceOrDefault(), v.name, finishing, 0, labelOptions);
    }

    /** Parses a query parameter's boolean: true/false, yes/no, 1/0, on/off; null stays null. */
    public static Boolean parseFlag(String field, String s) {
        if (s == null) {
            return null;
        }
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, field + " must be true or false, got '" + abbreviate(s) + "'");
        };
    }

    /** Parses a query parameter's number; null stays null. */
    public static Double parseNumber(String field, String s) {
        if (s == null) {
            return null;
        }
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, field + " must be a number, got '" + abbreviate(s) + "'");
        }
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

    public static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
