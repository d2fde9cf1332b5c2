package dev.meshpipe.mesh.labels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names and colours of labels, read from the formats segmentation tools write; labels it does
 * not list get {@code label-ID} and a colour from {@link #defaultColor}. Formats (docs/labels.md):
 * <ul>
 *   <li>{@code itk-snap}: label description files, {@code IDX R G B A VIS MSH "LABEL"} (A 0 to 1);</li>
 *   <li>{@code lut}: FreeSurfer's FreeSurferColorLUT.txt and 3D Slicer colour tables (.ctbl/.txt),
 *       {@code index name r g b a}; FreeSurfer writes a = 0 for opaque, Slicer 255, so an all-zero
 *       alpha column reads as opaque;</li>
 *   <li>{@code names}: mricron's atlas .txt files, {@code index name [code]}: names only;</li>
 *   <li>{@code mricron-lut}: mricron's binary .lut, 256 reds, 256 greens, 256 blues (768 bytes);</li>
 *   <li>{@code json}: {@code {"1": {"name": "...", "color": "#rrggbb"}}}, colour also [r, g, b].</li>
 * </ul>
 */
public record ColorTable(String format, Map<Integer, Entry> entries) {

    /** @param rgb 0xRRGGBB; -1 when the table names the label but gives no colour */
    public record Entry(int id, String name, int rgb, double opacity) {}

    private static final Pattern ITK = Pattern.compile(
            "^\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+([0-9.eE+-]+)\\s+(\\d+)\\s+(\\d+)\\s+\"(.*)\"\\s*$");
    private static final Pattern INT = Pattern.compile("\\d+");
    private static final int LUT_BYTES = 768;
    private static final int MAX_NAME = 64;

    public ColorTable {
        entries = Collections.unmodifiableMap(new TreeMap<>(entries));
    }

    public static ColorTable empty() {
        return new ColorTable("default", Map.of());
    }

    /** Reads a binary mricron .lut (exactly 768 bytes) or else a text table in any format above. */
    public static ColorTable parse(byte[] bytes) {
        if (bytes.length == LUT_BYTES && !isText(bytes)) {
            return parseMricronLut(bytes);
        }
        return parse(new String(bytes, StandardCharsets.UTF_8));
    }

    public static ColorTable parse(String text) {
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
        if (t.strip().startsWith("{")) {
            return parseJson(t);
        }
        Map<Integer, Entry> out = new TreeMap<>();
        String format = null;
        String[] lines = t.split("\r?\n|\r");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Entry e;
            String f;
            Matcher m = ITK.matcher(line);
            String[] tok = line.split("\\s+");
            if (m.matches()) {
                f = "itk-snap";
                e = new Entry(id(m.group(1), n), m.group(8), rgb(m.group(2), m.group(3), m.group(4), n),
                        opacity(m.group(5), n));
            } else if (tok.length >= 6 && allInts(tok, tok.length - 4)) {
                f = "lut";
                int k = tok.length;
                e = new Entry(id(tok[0], n), join(tok, 1, k - 4), rgb(tok[k - 4], tok[k - 3], tok[k - 2], n),
                        Integer.parseInt(tok[k - 1]) / 255.0);
            } else if (tok.length >= 2 && INT.matcher(tok[0]).matches()) {
                f = "names";
                int end = tok.length >= 3 && INT.matcher(tok[tok.length - 1]).matches() ? tok.length - 1 : tok.length;
                e = new Entry(id(tok[0], n), join(tok, 1, end), -1, 1);
            } else {
                throw bad(n, "expected 'index name r g b a', an ITK-SNAP line 'IDX R G B A VIS MSH \"LABEL\"' or 'index name'");
            }
            if (format == null) {
                format = f;
            } else if (!format.equals(f)) {
                throw bad(n, "a " + f + " line in a " + format + " table");
            }
            if (out.put(e.id(), e) != null) {
                throw bad(n, "label " + e.id() + " is listed twice");
            }
        }
        if (format == null) {
            throw new MeshException(MeshError.INVALID_PARAMETER, "colour table: no entries");
        }
        if (format.equals("lut") && out.values().stream().allMatch(e -> e.opacity() == 0)) {
            out.replaceAll((id, e) -> new Entry(id, e.name(), e.rgb(), 1));
        }
        return new ColorTable(format, out);
    }

    /** mricron's .lut: entry i is label i's colour (the atlas .txt next to it gives the names). */
    public static ColorTable parseMricronLut(byte[] b) {
        if (b.length != LUT_BYTES) {
            throw new MeshException(MeshError.INVALID_PARAMETER, "mricron .lut: expected 768 bytes, got " + b.length);
        }
        Map<Integer, Entry> out = new TreeMap<>();
        for (int i = 0; i < 256; i++) {
            int rgb = (b[i] & 0xff) << 16 | (b[256 + i] & 0xff) << 8 | (b[512 + i] & 0xff);
            out.put(i, new Entry(i, null, rgb, 1));
        }
        return new ColorTable("mricron-lut", out);
    }

    /** This table's names with colours from {@code colours} where it has none (mricron's .txt plus .lut). */
    public ColorTable withColoursFrom(ColorTable colours) {
        Map<Integer, Entry> out = new TreeMap<>(entries);
        colours.entries.forEach((id, c) -> out.merge(id, c, (mine, theirs) ->
                mine.rgb() >= 0 ? mine : new Entry(id, mine.name(), theirs.rgb(), theirs.opacity())));
        return new ColorTable(format + "+" + colours.format, out);
    }

    public String name(int id) {
        Entry e = entries.get(id);
        return e != null && e.name() != null && !e.name().isBlank() ? e.name() : "label-" + id;
    }

    public int rgb(int id) {
        Entry e = entries.get(id);
        return e != null && e.rgb() >= 0 ? e.rgb() : defaultColor(id);
    }

    public String hex(int id) {
        return String.format(Locale.ROOT, "#%06x", rgb(id));
    }

    /** {@code labels/{id}-{name}.{ext}}, the name made safe for any file system and ZIP reader. */
    public String path(int id, String ext) {
        return "labels/" + id + "-" + sanitize(name(id)) + "." + ext;
    }

    /**
     * Letters, digits, '-', '_' and '.' kept; every other run of characters, and any
     * run of dots and underscores (so no ".."), becomes one '_'; no leading dot (hidden files), at most 64 characters; an empty result becomes "label".
     */
    public static String sanitize(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("[._]{2,}", "_").replaceAll("^[._]+|[._]+$", "");
        if (s.length() > MAX_NAME) {
            s = s.substring(0, MAX_NAME).replaceAll("[._]+$", "");
        }
        return s.isEmpty() ? "label" : s;
    }

    /**
     * Distinct colours for neighbouring ids, the same in every run: hues step by the golden angle,
     * lightness alternates in three steps so hues that come round again still differ. Label 0 is grey.
     */
    public static int defaultColor(int id) {
        if (id == 0) {
            return 0x808080;
        }
        double h = (id * 0.6180339887498949) % 1.0;
        double s = 0.65;
        double v = new double[] {0.95, 0.8, 0.65}[Math.floorMod(id, 3)];
        int i = (int) (h * 6);
        double f = h * 6 - i;
        double p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
        double[] rgb = switch (i % 6) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
        return (int) Math.round(rgb[0] * 255) << 16 | (int) Math.round(rgb[1] * 255) << 8 | (int) Math.round(rgb[2] * 255);
    }

    private static ColorTable parseJson(String text) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new MeshException(MeshError.INVALID_PARAMETER, "colour table: not valid JSON: " + e.getOriginalMessage());
        }
        if (!root.isObject()) {
            throw new MeshException(MeshError.INVALID_PARAMETER, "colour table: expected an object of labels");
        }
        Map<Integer, Entry> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String where = "colour table: label \"" + f.getKey() + "\"";
            if (!INT.matcher(f.getKey()).matches() || f.getKey().length() > 9) {
                throw new MeshException(MeshError.INVALID_PARAMETER, where + " is not a label id (0 or more)");
            }
            int id = Integer.parseInt(f.getKey());
            JsonNode v = f.getValue();
            if (!v.isObject()) {
                throw new MeshException(MeshError.INVALID_PARAMETER, where + ": expected {\"name\": ..., \"color\": ...}");
            }
            JsonNode name = v.get("name");
            if (name != null && !name.isTextual()) {
                throw new MeshException(MeshError.INVALID_PARAMETER, where + ": name must be a string");
            }
            out.put(id, new Entry(id, name == null ? null : name.asText(), jsonColour(v.get("color"), where), 1));
        }
        return new ColorTable("json", out);
    }

    private static int jsonColour(JsonNode c, String where) {
        if (c == null || c.isNull()) {
            return -1;
        }
        if (c.isTextual() && c.asText().matches("#[0-9a-fA-F]{6}")) {
            return Integer.parseInt(c.asText().substring(1), 16);
        }
        if (c.isArray() && c.size() == 3) {
            int rgb = 0;
            for (JsonNode x : c) {
                if (!x.isIntegralNumber() || x.asInt() < 0 || x.asInt() > 255) {
                    rgb = -1;
                    break;
                }
                rgb = rgb << 8 | x.asInt();
            }
            if (rgb >= 0) {
                return rgb;
            }
        }
        throw new MeshException(MeshError.INVALID_PARAMETER, where + ": color must be \"#rrggbb\" or [r, g, b] from 0 to 255");
    }

    private static boolean isText(byte[] b) {
        int printable = 0;
        for (byte x : b) {
            if (x == '\n' || x == '\r' || x == '\t' || (x >= 32 && x < 127)) {
                printable++;
            }
        }
        return printable == b.length;
    }

    private static boolean allInts(String[] tok, int from) {
        for (int i = from; i < tok.length; i++) {
            if (!INT.matcher(tok[i]).matches()) {
                return false;
            }
        }
        return INT.matcher(tok[0]).matches();
    }

    private static String join(String[] tok, int from, int to) {
        return String.join(" ", java.util.Arrays.copyOfRange(tok, from, to));
    }

    private static int id(String s, int line) {
        if (s.length() > 9) {
            throw bad(line, "label id " + s + " is too large");
        }
        return Integer.parseInt(s);
    }

    private static int rgb(String r, String g, String b, int line) {
        int rgb = 0;
        for (String c : new String[] {r, g, b}) {
            int v = c.length() > 3 ? 256 : Integer.parseInt(c);
            if (v > 255) {
                throw bad(line, "colour component " + c + " is above 255");
            }
            rgb = rgb << 8 | v;
        }
        return rgb;
    }

    private static double opacity(String a, int line) {
        try {
            double v = Double.parseDouble(a);
            if (v >= 0 && v <= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below with the line
        }
        throw bad(line, "opacity " + a + " is not between 0 and 1");
    }

    private static MeshException bad(int line, String why) {
        return new MeshException(MeshError.INVALID_PARAMETER, "colour table line " + (line + 1) + ": " + why);
    }
}
