package dev.meshpipe.packager;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.JobMeshed;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.MeshSummary;
import dev.meshpipe.common.events.OutputFile;
import dev.meshpipe.common.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.zip.ZipEntry;
import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.compress.archivers.zip.DefaultBackingStoreSupplier;
import org.apache.commons.compress.archivers.zip.ParallelScatterZipCreator;
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
     * Writes the ZIP to {@code sink}. Entries are compressed in parallel, each into a temporary
     * file (so memory stays small whatever their size), and then written in a fixed order.
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
        JobMeshed meshed = new JobMeshed(jobId, null, null, files, MeshSummary.of(null, 0, 0, false, null), null, null);
        write(meshed, f -> java.nio.file.Files.newInputStream(java.nio.file.Path.of(f.object())), sink);
    }

    public static void write(JobMeshed meshed, Opener opener, OutputStream sink) throws IOException {
        List<OutputFile> files = meshed.files().stream().sorted(Comparator.comparing(OutputFile::name)).toList();
        String top = meshed.jobId() + "/";
        int threads = Math.max(1, Math.min(files.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "zip-" + meshed.jobId());
            t.setDaemon(true);
            return t;
        });
        ParallelScatterZipCreator creator = new ParallelScatterZipCreator(pool, new DefaultBackingStoreSupplier(null), 6);
        for (OutputFile f : files) {
            ZipArchiveEntry e = entry(top + f.name());
            // PNG and 3MF (a ZIP itself) are compressed already: STORED; everything else DEFLATE level 6.
            e.setMethod(f.name().endsWith(".png") || f.name().endsWith(".3mf") ? ZipEntry.STORED : ZipEntry.DEFLATED);
            creator.addArchiveEntry(e, () -> {
                try {
                    return opener.open(f);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        Manifest m = new Manifest(meshed.jobId(), "meshpipe " + VERSION, meshed.params(), meshed.mesh(), files.stream().map(f -> new Entry(f.name(), f.size(), f.sha256())).toList());
        byte[] manifest = Json.pretty(m).getBytes(StandardCharsets.UTF_8);
        ZipArchiveEntry me = entry(top + MANIFEST);
        me.setMethod(ZipEntry.DEFLATED);
        creator.addArchiveEntry(me, () -> new ByteArrayInputStream(manifest));
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(sink)) {
            zip.setUseZip64(Zip64Mode.AsNeeded);
            creator.writeTo(zip);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while zipping", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw cause instanceof IOException io ? io : new IOException("zipping failed: " + cause, cause);
        } finally {
            pool.shutdownNow();
        }
    }

    private static ZipArchiveEntry entry(String name) {
        ZipArchiveEntry e = new ZipArchiveEntry(name);
        e.setLastModifiedTime(ENTRY_TIME);
        e.setTime(ENTRY_TIME.toMillis());
        return e;
    }
}
