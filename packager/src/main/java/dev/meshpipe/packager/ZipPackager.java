package dev.meshpipe.packager;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.JobMeshed;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.OutputFile;
import dev.meshpipe.common.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Streams a job's outputs and a manifest into one ZIP. Entry order and times are fixed, so the
 * same outputs always give the same bytes (and sha256).
 */
final class ZipPackager {
    /** All entries carry this time: a ZIP of the same outputs must not depend on when it was made. */
    static final FileTime ENTRY_TIME = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
    static final String MANIFEST = "manifest.json";
    /** Stored (uncompressed) entries are buffered to compute their CRC; previews are far smaller. */
    static final int MAX_STORED_BYTES = 64 << 20;
    static final String VERSION = ZipPackager.class.getPackage().getImplementationVersion() != null
            ? ZipPackager.class.getPackage().getImplementationVersion() : "dev";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Manifest(String jobId, String software, JobParams params, String device, long vertices, long triangles,
                    boolean watertight, Map<String, Long> timingsMs, List<Entry> files) {}

    record Entry(String name, long size, String sha256) {}

    private ZipPackager() {}

    static void write(JobMeshed meshed, ObjectStore store, OutputStream sink) throws IOException {
        List<OutputFile> files = meshed.files().stream().sorted(Comparator.comparing(OutputFile::name)).toList();
        String top = meshed.jobId() + "/";
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(sink)) {
            zip.setUseZip64(Zip64Mode.AsNeeded);
            zip.setLevel(6);
            byte[] buf = new byte[1 << 16];
            for (OutputFile f : files) {
                ZipArchiveEntry e = entry(top + f.name());
                if (f.name().endsWith(".png")) {
                    // Already compressed: STORED, which needs size and CRC before the data.
                    byte[] png;
                    try (InputStream in = store.open(f.object())) {
                        png = in.readNBytes(MAX_STORED_BYTES + 1);
                    }
                    if (png.length > MAX_STORED_BYTES) {
                        throw new IOException(f.name() + " is larger than " + MAX_STORED_BYTES + " bytes");
                    }
                    CRC32 crc = new CRC32();
                    crc.update(png);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(png.length);
                    e.setCrc(crc.getValue());
                    zip.putArchiveEntry(e);
                    zip.write(png);
                } else {
                    e.setMethod(ZipEntry.DEFLATED);
                    zip.putArchiveEntry(e);
                    try (InputStream in = store.open(f.object())) {
                        for (int n; (n = in.read(buf)) > 0; ) {
                            zip.write(buf, 0, n);
                        }
                    }
                }
                zip.closeArchiveEntry();
            }
            Manifest m = new Manifest(meshed.jobId(), "meshpipe " + VERSION, meshed.params(), meshed.device(),
                    meshed.vertices(), meshed.triangles(), meshed.watertight(), meshed.timingsMs(),
                    files.stream().map(f -> new Entry(f.name(), f.size(), f.sha256())).toList());
            zip.putArchiveEntry(entry(top + MANIFEST));
            zip.write(Json.pretty(m).getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        }
    }

    private static ZipArchiveEntry entry(String name) {
        ZipArchiveEntry e = new ZipArchiveEntry(name);
        e.setLastModifiedTime(ENTRY_TIME);
        e.setTime(ENTRY_TIME.toMillis());
        return e;
    }
}
