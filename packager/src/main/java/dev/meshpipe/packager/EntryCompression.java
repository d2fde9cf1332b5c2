package dev.meshpipe.packager;

import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;

/**
 * How an entry of a job's ZIP is compressed, chosen by what each DEFLATE level buys for that kind
 * of file. Measured on ch2's raw surface (1.47 M triangles, 2026-12-02; docs/benchmarks.md,
 * "Packaging a ch2 job"): against level 6, level 4 makes the STL 2.5% and the OBJ 6.7% larger for
 * a third and a sixth of the time; level 1 makes the PLY 2.6% and the GLB 1.4% larger for a fifth
 * of the time (float32 binaries find few matches however hard DEFLATE looks). The whole ZIP ends
 * up about 3% larger than level 6 at about a quarter of its CPU time, within the 5% that issue 17
 * allows against Info-ZIP's {@code zip -6}.
 */
record EntryCompression(int method, int level) {
    static final EntryCompression STORED = new EntryCompression(ZipEntry.STORED, Deflater.NO_COMPRESSION);

    static EntryCompression forName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return switch (dot < 0 ? "" : n.substring(dot + 1)) {
            // Compressed already: PNG by its own DEFLATE, 3MF being a ZIP itself.
            case "png", "3mf" -> STORED;
            case "ply", "glb" -> deflate(1);
            case "stl", "obj" -> deflate(4);
            // Small text (quality.json, the manifest) and anything unknown: the usual level.
            default -> deflate(6);
        };
    }

    static EntryCompression deflate(int level) {
        return new EntryCompression(ZipEntry.DEFLATED, level);
    }

    boolean stored() {
        return method == ZipEntry.STORED;
    }
}
