package dev.meshpipe.packager;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.JobMeshed;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.MeshSummary;
import dev.meshpipe.common.events.OutputFile;
import dev.meshpipe.common.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Streams a job's outputs and a manifest into one ZIP. Entry order and times are fixed, so the
 * same outputs always give the same bytes (and sha256).
 */
public final class ZipPackager {
    /** Opens an output file's bytes (from the object store, or a directory for the CLI). */
    @FunctionalInterface
    public interface Opener {
        java.io.InputStream open(OutputFile file) throws IOException;
    }

    /** All entries carry this time: a ZIP of the same outputs must not depend on when it was made. */
    static final FileTime ENTRY_TIME = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    static final String MANIFEST = "manifest.json";
    static final String VERSION = dev.meshpipe.common.Version.get();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Manifest(String jobId, String software, JobParams params, @JsonUnwrapped MeshSummary mesh, List<Entry> files) {}

    record Entry(String name, long size, String sha256) {}

    private ZipPackager() {}

    /**
     * Writes the ZIP of a job's stored outputs to {@code sink} (see the other {@code write}).
     * {@code bytesRead} hears the total of output bytes read so far, from the compressing threads.
     */
    static void write(JobMeshed meshed, ObjectStore store, OutputStream sink, java.util.function.LongConsumer bytesRead)
            throws IOException {
        java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
        write(meshed, f -> new java.io.FilterInputStream(store.open(f.object())) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytesRead.accept(read.incrementAndGet());
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    bytesRead.accept(read.addAndGet(n));
                }
                return n;
            }
        }, sink);
    }

    /** Zips every regular file of {@code dir} (not recursive) as job {@code jobId}'s outputs would be. */
    public static void writeDirectory(java.nio.file.Path dir, String jobId, OutputStream sink) throws IOException {
        List<OutputFile> files = new java.util.ArrayList<>();
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) s.sorted()::iterator) {
                if (java.nio.file.Files.isRegularFile(p)) {
                    files.add(new OutputFile(p.getFileName().toString(), p.toString(), java.nio.file.Files.size(p), null));
                }
            }
        }
        write(outputsOnly(jobId, files), f -> java.nio.file.Files.newInputStream(java.nio.file.Path.of(f.object())), sink);
    }

    /** A job's outputs with nothing else known of the job, as the {@code zip} command has them. */
    static JobMeshed outputsOnly(String jobId, List<OutputFile> files) {
        return new JobMeshed(jobId, null, null, files, MeshSummary.of(null, 0, 0, false, null), null, null);
    }

    /**
     * Each entry is compressed by a task of its own at its own level ({@link EntryCompression}),
     * the largest first so that the longest task does not start last, on as many threads as there
     * are cores, each into a temporary file (so memory stays small whatever the entries' size).
     * The entries are then written in a fixed order (by name, the manifest last) as soon as each
     * is ready, while later ones are still compressing.
     */
    public static void write(JobMeshed meshed, Opener opener, OutputStream sink) throws IOException {
        write(meshed, opener, sink, null);
    }

    /** As above, with the temporary files in {@code tmpDir} (the JVM's temporary folder when null). */
    static void write(JobMeshed meshed, Opener opener, OutputStream sink, Path tmpDir) throws IOException {
        List<OutputFile> files = meshed.files().stream().sorted(Comparator.comparing(OutputFile::name)).toList();
        String top = meshed.jobId() + "/";
        Manifest m = new Manifest(meshed.jobId(), "meshpipe " + VERSION, meshed.params(), meshed.mesh(),
                files.stream().map(f -> new Entry(f.name(), f.size(), f.sha256())).toList());
        byte[] manifest = Json.pretty(m).getBytes(StandardCharsets.UTF_8);
        List<Part> parts = new ArrayList<>();
        for (OutputFile f : files) {
            parts.add(new Part(top + f.name(), f.size(), () -> opener.open(f)));
        }
        parts.add(new Part(top + MANIFEST, manifest.length, () -> new ByteArrayInputStream(manifest)));

        int threads = Math.max(1, Math.min(parts.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "zip-" + meshed.jobId());
            t.setDaemon(true);
            return t;
        });
        Map<Part, Future<Scattered>> pending = new IdentityHashMap<>();
        Unwritten unwritten = new Unwritten();
        try {
            parts.stream().sorted(Comparator.comparingLong(Part::size).reversed())
                    .forEach(p -> pending.put(p, pool.submit(() -> unwritten.keep(compress(p, tmpDir)))));
            try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(sink)) {
                zip.setUseZip64(Zip64Mode.AsNeeded);
                for (Part p : parts) {
                    try (Scattered s = await(pending.remove(p))) {
                        s.writeTo(zip);
                        unwritten.written(s);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            unwritten.abandon();
        }
    }

    /**
     * The entries compressed and not yet written. After a failure they are deleted, and so is any
     * a task still finishes later, so no temporary file outlives a failed ZIP.
     */
    private static final class Unwritten {
        private final Set<Scattered> live = Collections.newSetFromMap(new IdentityHashMap<>());
        private boolean abandoned;

        synchronized Scattered keep(Scattered s) throws IOException {
            if (abandoned) {
                s.close();
                throw new IOException("the ZIP was abandoned");
            }
            live.add(s);
            return s;
        }

        synchronized void written(Scattered s) {
            live.remove(s);
        }

        synchronized void abandon() {
            abandoned = true;
            for (Scattered s : live) {
                try {
                    s.close();
                } catch (IOException e) {
                    // the temporary folder is the JVM's: a file that cannot be deleted stays for the OS to clean
                }
            }
            live.clear();
        }
    }

    /** One entry's bytes, known by name and expected size, and how to read them. */
    private record Part(String name, long size, Source source) {}

    @FunctionalInterface
    private interface Source {
        InputStream open() throws IOException;
    }

    /** An entry compressed into its own temporary file, which goes on close. */
    private record Scattered(ZipArchiveEntry entry, Path file) implements Closeable {
        void writeTo(ZipArchiveOutputStream zip) throws IOException {
            try (InputStream raw = Files.newInputStream(file)) {
                zip.addRawArchiveEntry(entry, raw);
            }
        }

        @Override
        public void close() throws IOException {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Compresses one entry as its kind calls for; an entry that DEFLATE does not make smaller is
     * read again and STORED, so no entry is larger in the ZIP than on its own.
     */
    private static Scattered compress(Part part, Path tmpDir) throws IOException {
        EntryCompression how = EntryCompression.forName(part.name());
        Scattered s = compress(part, how, tmpDir);
        if (!how.stored() && s.entry().getCompressedSize() >= s.entry().getSize()) {
            s.close();
            s = compress(part, EntryCompression.STORED, tmpDir);
        }
        return s;
    }

    private static final int BUFFER = 64 * 1024;

    /**
     * Raw DEFLATE (or a plain copy) of the entry's bytes into a temporary file, with its CRC and
     * sizes, so the ZIP can take it as a raw entry. 64 KiB buffers: commons-compress's own
     * compressor reads 4 KiB at a time, which cost about a fifth more CPU on ch2's outputs.
     */
    private static Scattered compress(Part part, EntryCompression how, Path tmpDir) throws IOException {
        Path tmp = tmpDir == null ? Files.createTempFile("meshpipe-zip-", ".part")
                : Files.createTempFile(tmpDir, "meshpipe-zip-", ".part");
        Deflater deflater = how.stored() ? null : new Deflater(how.level(), true);
        try (InputStream in = part.source().open(); OutputStream out = Files.newOutputStream(tmp)) {
            CRC32 crc = new CRC32();
            byte[] buf = new byte[BUFFER];
            byte[] packed = new byte[BUFFER];
            long size = 0;
            long written = 0;
            for (int n; (n = in.readNBytes(buf, 0, BUFFER)) > 0; ) {
                crc.update(buf, 0, n);
                size += n;
                if (deflater == null) {
                    out.write(buf, 0, n);
                    written += n;
                } else {
                    deflater.setInput(buf, 0, n);
                    written += drain(deflater, packed, out, false);
                }
            }
            if (deflater != null) {
                deflater.finish();
                written += drain(deflater, packed, out, true);
            }
            ZipArchiveEntry e = entry(part.name());
            e.setMethod(how.method());
            e.setCrc(crc.getValue());
            e.setSize(size);
            e.setCompressedSize(written);
            return new Scattered(e, tmp);
        } catch (IOException | RuntimeException ex) {
            Files.deleteIfExists(tmp);
            throw ex;
        } finally {
            if (deflater != null) {
                deflater.end();
            }
        }
    }

    /** Writes what the deflater makes of its input so far (all of it when finishing); returns the bytes written. */
    private static long drain(Deflater deflater, byte[] packed, OutputStream out, boolean finishing) throws IOException {
        long written = 0;
        while (finishing ? !deflater.finished() : !deflater.needsInput()) {
            int n = deflater.deflate(packed);
            out.write(packed, 0, n);
            written += n;
        }
        return written;
    }

    private static Scattered await(Future<Scattered> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while zipping", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw cause instanceof IOException io ? io : new IOException("zipping failed: " + cause, cause);
        }
    }

    private static ZipArchiveEntry entry(String name) {
        ZipArchiveEntry e = new ZipArchiveEntry(name);
        e.setLastModifiedTime(ENTRY_TIME);
        e.setTime(ENTRY_TIME.toMillis());
        return e;
    }
}
