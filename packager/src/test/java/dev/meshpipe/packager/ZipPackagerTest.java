package dev.meshpipe.packager;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobMeshed;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.OutputFile;
import dev.meshpipe.common.store.DigestingOutputStream;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.common.store.ObjectKeys;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipPackagerTest {
    @TempDir
    Path dir;

    JobMeshed outputs(FileObjectStore store, String id) throws Exception {
        Random r = new Random(7);
        List<OutputFile> files = new ArrayList<>();
        for (String name : new String[] {"mesh.stl", "mesh.obj", "quality.json", "preview.png"}) {
            byte[] data = new byte[200_000];
            if (name.endsWith(".png")) {
                r.nextBytes(data);
            } else {
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) ("0123456789 .v\n".charAt(r.nextInt(14)));
                }
            }
            String key = ObjectKeys.work(id, name);
            store.put(key, data);
            DigestingOutputStream d = new DigestingOutputStream(ByteArrayOutputStream.nullOutputStream());
            d.write(data);
            files.add(new OutputFile(name, key, data.length, d.sha256()));
        }
        return new JobMeshed(id, null, new JobParams(null, null, List.of(dev.meshpipe.mesh.MeshFormat.STL,
                dev.meshpipe.mesh.MeshFormat.OBJ), "test"), files,
                dev.meshpipe.common.events.MeshSummary.of("cpu", 10, 20, true, Map.of("extractMs", 3L)),
                Instant.parse("2026-11-25T00:00:00Z"), Instant.parse("2026-11-25T00:00:01Z"));
    }

    @Test
    void theSameOutputsGiveTheSameBytesInTheDocumentedLayout() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        JobMeshed meshed = outputs(store, "job-1");
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ZipPackager.write(meshed, store, first, read -> { });
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        ZipPackager.write(meshed, store, second, read -> { });
        assertArrayEquals(first.toByteArray(), second.toByteArray());

        Map<String, ZipEntry> entries = new LinkedHashMap<>();
        Map<String, byte[]> contents = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(new java.io.ByteArrayInputStream(first.toByteArray()))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                entries.put(e.getName(), e);
                contents.put(e.getName(), z.readAllBytes());
            }
        }
        assertEquals(List.of("job-1/mesh.obj", "job-1/mesh.stl", "job-1/preview.png", "job-1/quality.json", "job-1/manifest.json"),
                new ArrayList<>(entries.keySet()));
        assertEquals(ZipEntry.STORED, entries.get("job-1/preview.png").getMethod());
        assertEquals(ZipEntry.DEFLATED, entries.get("job-1/mesh.stl").getMethod());
        assertEquals(Instant.parse("2020-01-01T00:00:00Z"), entries.get("job-1/mesh.stl").getLastModifiedTime().toInstant());
        JsonNode manifest = Json.MAPPER.readTree(contents.get("job-1/manifest.json"));
        for (JsonNode f : manifest.path("files")) {
            byte[] data = contents.get("job-1/" + f.path("name").asText());
            DigestingOutputStream d = new DigestingOutputStream(ByteArrayOutputStream.nullOutputStream());
            d.write(data);
            assertEquals(f.path("sha256").asText(), d.sha256());
            assertEquals(f.path("size").asLong(), data.length);
        }
        assertTrue(manifest.path("software").asText().startsWith("meshpipe"));
        assertEquals("test", manifest.path("params").path("name").asText());
    }

    @Test
    void resultsAndInputsExpireFromTheStoresOwnTimestamps() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        store.put(ObjectKeys.result("old-job"), new byte[] {1});
        store.put(ObjectKeys.preview("old-job"), new byte[] {2});
        store.put(ObjectKeys.result("new-job"), new byte[] {3});
        store.put(ObjectKeys.input("old-job"), new byte[] {4});
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        Files.setLastModifiedTime(store.root().resolve(ObjectKeys.result("old-job")), FileTime.from(now.minus(Duration.ofHours(25))));
        Files.setLastModifiedTime(store.root().resolve(ObjectKeys.input("old-job")), FileTime.from(now.minus(Duration.ofHours(25))));
        Files.setLastModifiedTime(store.root().resolve(ObjectKeys.result("new-job")), FileTime.from(now.minus(Duration.ofHours(1))));
        List<JobEvent> announced = new ArrayList<>();
        Expirer expirer = new Expirer(store, announced::add, Duration.ofHours(24), Duration.ofHours(24), Clock.fixed(now, ZoneOffset.UTC));
        assertEquals(1, expirer.sweep());
        assertTrue(store.head(ObjectKeys.result("old-job")).isEmpty());
        assertTrue(store.head(ObjectKeys.preview("old-job")).isEmpty());
        assertTrue(store.head(ObjectKeys.input("old-job")).isEmpty());
        assertTrue(store.head(ObjectKeys.result("new-job")).isPresent());
        assertEquals(1, announced.size());
        assertEquals(JobState.EXPIRED, announced.get(0).state());
        assertEquals("old-job", announced.get(0).jobId());
        // A second sweep (another packager, or after a restart) finds nothing left to do.
        assertEquals(0, expirer.sweep());
    }

    @Test
    void temporaryFilesOfWritesACrashInterruptedAreDeletedOnceUntouchedForTheGracePeriod() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        Path crashed = Files.write(store.root().resolve(".tmp/crashed.part"), new byte[1024]);
        Path live = Files.write(store.root().resolve(".tmp/live.part"), new byte[1024]);
        Files.setLastModifiedTime(crashed, FileTime.from(now.minus(Expirer.ABANDONED_WRITE_GRACE).minusSeconds(1)));
        Files.setLastModifiedTime(live, FileTime.from(now.minus(Duration.ofMinutes(5))));
        Expirer expirer = new Expirer(store, e -> { }, Duration.ofHours(24), Duration.ofHours(24), Clock.fixed(now, ZoneOffset.UTC));
        expirer.sweep();
        assertFalse(Files.exists(crashed), "a write untouched for the grace period is a crash's leftover");
        assertTrue(Files.exists(live), "a write touched recently may still be going on");
    }

    /** Outputs of each kind: compressible text for the meshes and JSON, random bytes (as a float32 GLB can nearly be) for the GLB and PNG. */
    JobMeshed mixedOutputs(FileObjectStore store, String id) throws Exception {
        Random r = new Random(11);
        List<OutputFile> files = new ArrayList<>();
        for (String name : new String[] {"mesh.stl", "mesh.ply", "mesh.glb", "quality.json", "preview.png"}) {
            byte[] data = new byte[300_000];
            if (name.endsWith(".glb") || name.endsWith(".png")) {
                r.nextBytes(data);
            } else {
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) ("0123456789 .v\n".charAt(r.nextInt(14)));
                }
            }
            String key = ObjectKeys.work(id, name);
            store.put(key, data);
            files.add(new OutputFile(name, key, data.length, null));
        }
        return ZipPackager.outputsOnly(id, files);
    }

    @Test
    void eachEntryIsCompressedAsItsKindCallsForAndWhatDeflateCannotShrinkIsStored() throws Exception {
        FileObjectStore store = new FileObjectStore(dir.resolve("store"));
        JobMeshed meshed = mixedOutputs(store, "job-2");
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        ZipPackager.write(meshed, f -> store.open(f.object()), zip, Files.createDirectories(dir.resolve("tmp")));
        Map<String, Integer> methods = new LinkedHashMap<>();
        try (java.util.zip.ZipFile z = zipFile(zip.toByteArray())) {
            z.stream().forEach(e -> methods.put(e.getName(), e.getMethod()));
            for (OutputFile f : meshed.files()) {
                try (java.io.InputStream in = z.getInputStream(z.getEntry("job-2/" + f.name()));
                     java.io.InputStream orig = store.open(f.object())) {
                    assertArrayEquals(orig.readAllBytes(), in.readAllBytes(), f.name());
                }
            }
        }
        assertEquals(ZipEntry.DEFLATED, methods.get("job-2/mesh.stl"));
        assertEquals(ZipEntry.DEFLATED, methods.get("job-2/mesh.ply"));
        assertEquals(ZipEntry.DEFLATED, methods.get("job-2/quality.json"));
        assertEquals(ZipEntry.STORED, methods.get("job-2/mesh.glb"), "random bytes do not shrink: stored");
        assertEquals(ZipEntry.STORED, methods.get("job-2/preview.png"));
        try (java.util.stream.Stream<Path> left = Files.list(dir.resolve("tmp"))) {
            assertEquals(List.of(), left.toList(), "temporary files are deleted");
        }
    }

    @Test
    void levelsFollowWhatEachKindBuys() {
        assertEquals(4, EntryCompression.forName("mesh.stl").level());
        assertEquals(4, EntryCompression.forName("mesh.obj").level());
        assertEquals(1, EntryCompression.forName("mesh.ply").level());
        assertEquals(1, EntryCompression.forName("mesh.glb").level());
        assertEquals(6, EntryCompression.forName("quality.json").level());
        assertTrue(EntryCompression.forName("preview.png").stored());
        assertTrue(EntryCompression.forName("mesh.3mf").stored());
    }

    @Test
    void anEntryThatCannotBeReadFailsTheZipAndLeavesNoTemporaryFiles() throws Exception {
        FileObjectStore store = new FileObjectStore(dir.resolve("store"));
        JobMeshed meshed = mixedOutputs(store, "job-3");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> ZipPackager.write(meshed, f -> {
                    if (f.name().equals("mesh.ply")) {
                        throw new java.io.IOException("storage went away reading mesh.ply");
                    }
                    return store.open(f.object());
                }, ByteArrayOutputStream.nullOutputStream(), tmp));
        assertEquals("storage went away reading mesh.ply", e.getMessage());
        // The other entries' tasks may still be finishing when write returns; they clean up after themselves.
        for (int i = 0; i < 100 && Files.list(tmp).findAny().isPresent(); i++) {
            Thread.sleep(50);
        }
        try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "temporary files are deleted");
        }
    }

    /** Info-ZIP's unzip and Python's zipfile, as a user's tools, read every entry and find the CRCs right. */
    @Test
    void unzipAndPythonReadTheZip() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath("unzip") && onPath("python3"), "unzip or python3 is not installed");
        FileObjectStore store = new FileObjectStore(dir.resolve("store"));
        JobMeshed meshed = mixedOutputs(store, "job-4");
        Path zip = dir.resolve("job-4.zip");
        try (java.io.OutputStream out = Files.newOutputStream(zip)) {
            ZipPackager.write(meshed, store, out, read -> { });
        }
        assertEquals("", run("unzip", "-tq", zip.toString()).replaceAll("No errors detected.*\\n", ""));
        assertEquals("None 6\n", run("python3", "-c",
                "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip(), len(z.namelist()))", zip.toString()));
    }

    private static java.util.zip.ZipFile zipFile(byte[] bytes) throws Exception {
        Path p = Files.createTempFile("zip-test-", ".zip");
        Files.write(p, bytes);
        p.toFile().deleteOnExit();
        return new java.util.zip.ZipFile(p.toFile());
    }

    private static boolean onPath(String tool) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /** Runs a command and returns its output, failing on a non-zero exit. */
    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }
}
