package dev.meshpipe.mesh.io.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Otsu;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.MarchingCubes;
import dev.meshpipe.mesh.out.MeshJson;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dcm2niix as the judge: series written by tools/make_dicom_series.py (pydicom, from a mricron
 * volume) are meshed straight from DICOM and from the NIfTI dcm2niix writes of the same series;
 * the meshes must have the same counts and the same vertices in world millimetres.
 */
class DicomPeerTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path GENERATOR = Path.of("../tools/make_dicom_series.py");
    static final double TOLERANCE_MM = 1e-3;

    record Case(String name, String input, String series, String reference, String expect) {}

    static void requireTools() throws Exception {
        boolean ok = Files.isExecutable(PYTHON) && Files.exists(Path.of("/usr/share/mricron/templates/ch2bet.nii.gz"))
                && run(List.of(PYTHON.toString(), "-c", "import pydicom, nibabel, numpy"), null) == 0
                && run(List.of("dcm2niix", "-v"), null) >= 0;
        if (!ok && "true".equals(System.getenv("CI"))) {
            fail("CI needs /usr/bin/python3 with pydicom, nibabel, numpy, dcm2niix and mricron-data");
        }
        Assumptions.assumeTrue(ok, "needs /usr/bin/python3 with pydicom and nibabel, dcm2niix and mricron-data");
    }

    @Test
    void seriesMeshLikeDcm2niixNifti(@TempDir Path tmp) throws Exception {
        requireTools();
        assertEquals(0, run(List.of(PYTHON.toString(), GENERATOR.toString(), tmp.toString()), null), "generator failed");
        List<Case> cases = MeshJson.MAPPER.readValue(tmp.resolve("manifest.json").toFile(), new TypeReference<List<Case>>() {});
        StringBuilder table = new StringBuilder(String.format("%-26s %-24s %s%n", "case", "outcome", "detail"));
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            String outcome;
            String detail;
            try {
                Volume v = readInput(Path.of(c.input()), c.series());
                if (!c.expect().equals("volume")) {
                    failures.add(c.name() + ": expected " + c.expect() + ", got a volume");
                    outcome = "volume (WRONG)";
                    detail = v.description();
                } else {
                    Path nii = dcm2niix(Path.of(c.reference()), tmp.resolve("nii-" + c.name()));
                    Volume ref = VolumeReader.read(nii.toString(), VolumeLimits.defaults());
                    double iso = Otsu.threshold(v.data());
                    Mesh a = world(v, iso);
                    Mesh b = world(ref, iso);
                    String diff = compare(a, b);
                    if (diff != null) {
                        failures.add(c.name() + ": " + diff);
                    }
                    outcome = diff == null ? "same mesh" : "DIFFERENT";
                    detail = a.vertexCount() + " vertices, " + a.triangleCount() + " triangles at iso " + iso;
                }
            } catch (MeshException e) {
                outcome = e.code().name();
                detail = e.getMessage();
                if (!c.expect().equals(e.code().name())) {
                    failures.add(c.name() + ": expected " + c.expect() + ", got " + e.code() + ": " + e.getMessage());
                }
            }
            table.append(String.format("%-26s %-24s %s%n", c.name(), outcome, detail.length() > 110 ? detail.substring(0, 110) + "..." : detail));
        }
        System.out.print(table);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    static Volume readInput(Path p, String series) throws IOException {
        if (Files.isDirectory(p)) {
            return DicomSeries.readDirectory(p, VolumeLimits.defaults(), series);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(p))) {
            return VolumeReader.read(in, VolumeLimits.defaults(), series);
        }
    }

    static Mesh world(Volume v, double iso) {
        return MarchingCubes.extract(v, iso, true, 2).transformed(v.gridToWorld());
    }

    /** Null when both meshes have the same counts and every vertex of one lies within 1e-3 mm of one of the other. */
    static String compare(Mesh a, Mesh b) {
        if (a.vertexCount() != b.vertexCount() || a.triangleCount() != b.triangleCount()) {
            return "counts differ: " + a.vertexCount() + "/" + a.triangleCount() + " vs dcm2niix's NIfTI " + b.vertexCount() + "/" + b.triangleCount();
        }
        Map<Long, List<Integer>> cells = new HashMap<>();
        float[] q = b.positions();
        for (int i = 0; i < b.vertexCount(); i++) {
            cells.computeIfAbsent(key(q[3 * i], q[3 * i + 1], q[3 * i + 2], 0, 0, 0), k -> new ArrayList<>()).add(i);
        }
        float[] p = a.positions();
        double worst = 0;
        for (int i = 0; i < a.vertexCount(); i++) {
            double best = Double.MAX_VALUE;
            for (int dx = -1; dx <= 1; dx++) {
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dz = -1; dz <= 1; dz++) {
                        for (int j : cells.getOrDefault(key(p[3 * i], p[3 * i + 1], p[3 * i + 2], dx, dy, dz), List.of())) {
                            double d = Math.hypot(Math.hypot(p[3 * i] - q[3 * j], p[3 * i + 1] - q[3 * j + 1]), p[3 * i + 2] - q[3 * j + 2]);
                            best = Math.min(best, d);
                        }
                    }
                }
            }
            worst = Math.max(worst, best);
            if (best > TOLERANCE_MM) {
                return String.format("vertex %d at (%.4f, %.4f, %.4f) has no counterpart within %.0e mm (nearest %.4g mm)",
                        i, p[3 * i], p[3 * i + 1], p[3 * i + 2], TOLERANCE_MM, best);
            }
        }
        return null;
    }

    private static long key(double x, double y, double z, int dx, int dy, int dz) {
        long ix = (long) Math.floor(x / 0.01) + dx;
        long iy = (long) Math.floor(y / 0.01) + dy;
        long iz = (long) Math.floor(z / 0.01) + dz;
        return (ix * 73856093L) ^ (iy * 19349663L) ^ (iz * 83492791L);
    }

    static Path dcm2niix(Path series, Path out) throws Exception {
        Files.createDirectories(out);
        int rc = run(List.of("dcm2niix", "-z", "n", "-b", "n", "-f", "ref", "-o", out.toString(), series.toString()), null);
        Path nii = out.resolve("ref.nii");
        assertTrue(rc == 0 && Files.exists(nii), "dcm2niix failed on " + series);
        return nii;
    }

    static int run(List<String> cmd, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return -1;
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
