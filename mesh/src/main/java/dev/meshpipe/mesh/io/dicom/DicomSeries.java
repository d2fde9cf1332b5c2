package dev.meshpipe.mesh.io.dicom;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A DICOM series (a ZIP, a directory or one file) to one {@link Volume} in RAS millimetres, placed
 * the way dcm2niix places the NIfTI it writes from the same series.
 */
public final class DicomSeries {
    /** Relative deviation of a slice gap from the others that is still taken as regular. */
    static final double SPACING_TOLERANCE = 0.01;

    private DicomSeries() {}

    /** True for a ZIP (local file header "PK\3\4") or a DICOM Part 10 file. */
    public static boolean recognises(byte[] head) {
        return isZip(head) || DicomFile.hasPart10Marker(head) || DicomFile.looksLikeBareDataSet(head);
    }

    static boolean isZip(byte[] h) {
        return h.length >= 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4;
    }

    /** A one-line description for upload checks that see only the first bytes. */
    public static String describeHead(byte[] head) {
        return isZip(head) ? "ZIP archive (DICOM series expected)" : "DICOM Part 10 file";
    }

    /** Reads a ZIP of DICOM files, or a single DICOM file, from a stream. */
    public static Volume read(InputStream in, VolumeLimits limits, String series) throws IOException {
        byte[] head = peek(in, 4);
        Collector c = new Collector(limits);
        if (isZip(head)) {
            readZip(in, c);
        } else {
            c.countFile();
            c.add("input", readBounded(in, limits.maxDecompressedBytes(), "the DICOM file"));
        }
        return c.assemble(series);
    }

    /** Reads every file under a directory (any layout); non-DICOM files are skipped and counted. */
    public static Volume readDirectory(Path dir, VolumeLimits limits, String series) throws IOException {
        Collector c = new Collector(limits);
        List<Path> files = new ArrayList<>();
        walk(dir, 0, files);
        files.sort(null);
        List<Path> wanted = new ArrayList<>();
        for (Path p : files.subList(0, (int) Math.min(files.size(), c.maxFiles + 1L))) {
            if (!p.getFileName().toString().equalsIgnoreCase("DICOMDIR")) {
                c.countFile();
                long size = Files.size(p);
                if (size > Integer.MAX_VALUE - 16) {
                    throw new MeshException(MeshError.VOLUME_TOO_LARGE, dir.relativize(p) + " is larger than 2 GiB");
                }
                c.addBytes(size);
                wanted.add(p);
            }
        }
        // Only the heads are read here (in parallel: on a cold disk the cores help); the pixels
        // are read once, when each slice is decoded into its place in the volume.
        int n = wanted.size();
        DicomFile[] parsed = new DicomFile[n];
        long maxInflated = limits.maxDecompressedBytes();
        if (n >= 2) {
            // The first and last files foretell the volume's size, so it is allocated while the others are parsed.
            parsed[0] = DicomFile.parse(wanted.get(0), dir.relativize(wanted.get(0)).toString(), maxInflated);
            parsed[n - 1] = DicomFile.parse(wanted.get(n - 1), dir.relativize(wanted.get(n - 1)).toString(), maxInflated);
            c.early = EarlyVolume.foretold(parsed[0], parsed[n - 1], n, limits);
        }
        int from = n >= 2 ? 1 : 0;
        int to = n >= 2 ? n - 1 : n;
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger(from);
        new Workers(Workers.count(to - from)) {
            @Override
            void work(int worker) throws IOException {
                for (int i; !failed() && (i = next.getAndIncrement()) < to; ) {
                    parsed[i] = DicomFile.parse(wanted.get(i), dir.relativize(wanted.get(i)).toString(), maxInflated);
                }
            }
        }.run();
        for (DicomFile f : parsed) {
            c.addParsed(f);
        }
        try {
            return c.assemble(series);
        } catch (java.io.UncheckedIOException e) { // a file that failed when its pixels were read
            throw e.getCause();
        }
    }

    /**
     * Adds the regular files under {@code dir} to {@code into}, as Files.walk(dir, 32) finds them:
     * links to files are taken, links to directories are not followed. By hand, because the
     * stream costs a cold JVM more class loading than the walk itself.
     */
    private static void walk(Path dir, int depth, List<Path> into) throws IOException {
        try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(p,
                        java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (a.isDirectory()) {
                    if (depth + 1 < 32) {
                        walk(p, depth + 1, into);
                    }
                } else if (a.isRegularFile() || a.isSymbolicLink() && Files.isRegularFile(p)) {
                    into.add(p);
                }
            }
        }
    }

    private static void readZip(InputStream in, Collector c) throws IOException {
        // Names matter only for DICOMDIR and messages; Latin-1 decodes any byte, so CP437 names from old tools still read.
        try (ZipInputStream zip = new ZipInputStream(in, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.isDirectory()) {
                    continue;
                }
                String base = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                if (base.equalsIgnoreCase("DICOMDIR")) {
                    continue;
                }
                c.countFile();
                c.add(e.getName(), c.readCounted(zip));
            }
        } catch (ZipException e) {
            throw new MeshException(MeshError.INVALID_VOLUME, "corrupt ZIP archive: " + e.getMessage());
        } catch (java.io.EOFException e) {
            throw new MeshException(MeshError.INVALID_VOLUME, "the ZIP archive is truncated");
        } catch (IllegalArgumentException e) { // an entry flagged UTF-8 whose name is not
            throw new MeshException(MeshError.INVALID_VOLUME, "corrupt ZIP archive: an entry name is not valid UTF-8");
        }
    }

    private static byte[] readBounded(InputStream in, long limit, String what) throws IOException {
        byte[] b = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 16));
        if (b.length > limit) {
            throw new MeshException(MeshError.VOLUME_TOO_LARGE, what + " exceeds the limit of " + limit + " bytes");
        }
        return b;
    }

    private static byte[] peek(InputStream in, int n) throws IOException {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("stream must support mark");
        }
        in.mark(n);
        byte[] b = in.readNBytes(n);
        in.reset();
        return b;
    }

    /** Files gathered so far, with the counts and limits that apply across them. */
    private static final class Collector {
        final VolumeLimits limits;
        final int maxFiles;
        final List<DicomFile> images = new ArrayList<>();
        /** The volume being allocated while the headers are read, or null. */
        EarlyVolume early;
        int files;
        int notDicom;
        int noPixels;
        long bytes;

        Collector(VolumeLimits limits) {
            this.limits = limits;
            this.maxFiles = limits.maxFiles();
        }

        void countFile() {
            if (++files > maxFiles) {
                throw new MeshException(MeshError.TOO_MANY_FILES, "the input holds more than " + maxFiles + " files");
            }
        }

        void addBytes(long n) {
            bytes += n;
            if (bytes > limits.maxDecompressedBytes()) {
                throw new MeshException(MeshError.VOLUME_TOO_LARGE, "the files of the input exceed the limit of "
                        + limits.maxDecompressedBytes() + " bytes in all");
            }
        }

        /** Reads one ZIP entry, counting bytes as they inflate, so a ZIP bomb stops at the limit. */
        byte[] readCounted(InputStream in) throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                addBytes(n);
                if (out.size() + (long) n > Integer.MAX_VALUE - 16) {
                    throw new MeshException(MeshError.VOLUME_TOO_LARGE, "a file in the ZIP archive is larger than 2 GiB");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }

        void add(String name, byte[] b) {
            addParsed(DicomFile.parse(b, name, limits.maxDecompressedBytes()));
        }

        void addParsed(DicomFile f) {
            if (f == null) {
                notDicom++;
            } else if (!f.hasPixels()) {
                noPixels++;
            } else {
                images.add(f);
            }
        }

        Volume assemble(String wanted) {
            Map<String, List<DicomFile>> bySeries = new LinkedHashMap<>();
            for (DicomFile f : images) {
                String uid = f.seriesUid == null ? "" : f.seriesUid;
                List<DicomFile> same = bySeries.get(uid);
                if (same == null) {
                    same = new ArrayList<>();
                    bySeries.put(uid, same);
                }
                same.add(f);
            }
            if (bySeries.isEmpty()) {
                throw new MeshException(files <= 1 && noPixels == 1 ? MeshError.NOT_A_VOLUME : MeshError.NO_IMAGE_SERIES,
                        "no DICOM image found (" + counts() + ")");
            }
            List<DicomFile> chosen = choose(bySeries, wanted);
            return SeriesGeometry.build(framesOf(chosen), limits, counts(), early);
        }

        /**
         * The chosen series' slices: a multi-frame file stands for its frames, and an enhanced
         * file of one frame (some scanners write a series so) is placed by its functional groups.
         */
        private static List<DicomFile> framesOf(List<DicomFile> files) {
            List<DicomFile> slices = new ArrayList<>();
            for (DicomFile f : files) {
                if (DicomPixels.frames(f) > 1 || f.perFrame != null) {
                    slices.addAll(MultiFrame.split(f));
                } else {
                    slices.add(f);
                }
            }
            return slices;
        }

        private static int sliceCount(List<DicomFile> files) {
            long n = 0;
            for (DicomFile f : files) {
                n += DicomPixels.frames(f);
            }
            return (int) Math.min(n, Integer.MAX_VALUE);
        }

        private String counts() {
            StringBuilder s = new StringBuilder().append(files).append(files == 1 ? " file" : " files");
            if (notDicom > 0) {
                s.append(", ").append(notDicom).append(" not DICOM, skipped");
            }
            if (noPixels > 0) {
                s.append(", ").append(noPixels).append(" without pixel data, skipped");
            }
            return s.toString();
        }

        private List<DicomFile> choose(Map<String, List<DicomFile>> bySeries, String wanted) {
            if (wanted == null || wanted.isBlank()) {
                if (bySeries.size() == 1) {
                    return bySeries.values().iterator().next();
                }
                throw new MeshException(MeshError.AMBIGUOUS_SERIES, "the input holds " + bySeries.size()
                        + " image series; name one with series=UID or series=NUMBER: " + list(bySeries));
            }
            String w = wanted.trim();
            List<List<DicomFile>> hits = new ArrayList<>();
            for (List<DicomFile> s : bySeries.values()) {
                DicomFile f = s.get(0);
                if (w.equals(f.seriesUid) || sameNumber(w, f.seriesNumber)) {
                    hits.add(s);
                }
            }
            if (hits.size() == 1) {
                return hits.get(0);
            }
            throw new MeshException(hits.isEmpty() ? MeshError.INVALID_PARAMETER : MeshError.AMBIGUOUS_SERIES,
                    (hits.isEmpty() ? "no series matches series=" : "several series match series=") + abbreviate(w)
                            + "; the input holds: " + list(bySeries));
        }

        private static boolean sameNumber(String wanted, String number) {
            if (number == null || number.isBlank()) {
                return false;
            }
            try {
                return Long.parseLong(wanted) == Long.parseLong(number.trim());
            } catch (NumberFormatException e) {
                return false;
            }
        }

        private static String list(Map<String, List<DicomFile>> bySeries) {
            List<String> rows = new ArrayList<>();
            bySeries.values().stream()
                    .sorted(Comparator.comparing((List<DicomFile> s) -> numberOrMax(s.get(0).seriesNumber)))
                    .forEach(s -> {
                        DicomFile f = s.get(0);
                        rows.add(String.format(Locale.ROOT, "{uid %s, number %s, description '%s', modality %s, %d slice%s}",
                                f.seriesUid == null ? "(none)" : f.seriesUid, f.seriesNumber == null ? "(none)" : f.seriesNumber,
                                f.seriesDescription == null ? "" : f.seriesDescription, f.modality == null ? "?" : f.modality,
                                sliceCount(s), sliceCount(s) == 1 ? "" : "s"));
                    });
            return String.join(", ", rows);
        }

        private static long numberOrMax(String n) {
            try {
                return n == null ? Long.MAX_VALUE : Long.parseLong(n.trim());
            } catch (NumberFormatException e) {
                return Long.MAX_VALUE;
            }
        }

        private static String abbreviate(String s) {
            return s.length() <= 64 ? s : s.substring(0, 64) + "...";
        }
    }
}
