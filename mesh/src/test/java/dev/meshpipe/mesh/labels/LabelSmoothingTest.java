package dev.meshpipe.mesh.labels;

import static dev.meshpipe.mesh.labels.LabelSurfacesTest.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Volume;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Constrained smoothing of whole label maps: every structure stays closed and manifold, every face
 * two structures share is the same triangle pair in both (reversed), each structure keeps its voxel
 * volume within 1%, and the surfaces really are smoothed.
 */
class LabelSmoothingTest {
    static final LabelSmoothing.Options SMOOTH = LabelSmoothing.Options.defaults();

    static LabelSurfaces.Result smoothed(Volume v) {
        return LabelSurfaces.extract(v, LabelSelection.all(), SMOOTH, 2);
    }

    /** Closed, manifold (as many bad edges as the raw surface: none), volumes within 1%, boundaries shared. */
    static void assertSmoothSound(Volume v, LabelSurfaces.Result r) {
        LabelSurfaces.Result raw = LabelSurfaces.extract(v, LabelSelection.all(), 1);
        for (int i = 0; i < r.structures().size(); i++) {
            LabelSurfaces.Structure s = r.structures().get(i);
            Topology t = Topology.of(s.mesh());
            assertTrue(t.closed(), "label " + s.label() + ": " + t);
            assertEquals(Topology.of(raw.structures().get(i).mesh()).badEdges(), t.badEdges(), "label " + s.label() + " pinches");
            assertEquals(0, t.badVertices() - Topology.of(raw.structures().get(i).mesh()).badVertices(), "label " + s.label());
            double vol = MeshQuality.signedVolume(s.mesh());
            assertEquals(s.voxelVolume(), vol, 0.01 * s.voxelVolume(), "label " + s.label() + " volume");
        }
        Map<Long, Integer> faces = facesBetween(v);
        List<LabelSurfaces.Structure> st = r.structures();
        for (int i = 0; i < st.size(); i++) {
            Set<List<Float>> mine = triangles(st.get(i).mesh(), false);
            for (int j = i + 1; j < st.size(); j++) {
                Set<List<Float>> theirsReversed = triangles(st.get(j).mesh(), true);
                Set<List<Float>> theirs = triangles(st.get(j).mesh(), false);
                int shared = 0;
                for (List<Float> tri : mine) {
                    shared += theirsReversed.contains(tri) ? 1 : 0;
                    assertTrue(!theirs.contains(tri), "labels " + st.get(i).label() + " and " + st.get(j).label() + " overlap");
                }
                long key = (long) st.get(i).label() << 32 | st.get(j).label();
                assertEquals(2 * faces.getOrDefault(key, 0), shared,
                        "labels " + st.get(i).label() + " and " + st.get(j).label() + ": triangles shared vertex for vertex");
            }
        }
    }

    /** Voxel faces between each pair of labels (smaller label first), counted on the label map itself. */
    static Map<Long, Integer> facesBetween(Volume v) {
        Map<Long, Integer> out = new HashMap<>();
        int nx = v.nx(), ny = v.ny(), nz = v.nz();
        float[] d = v.data();
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    int a = (int) d[x + nx * (y + ny * z)];
                    int[][] next = {{x + 1, y, z}, {x, y + 1, z}, {x, y, z + 1}};
                    for (int[] q : next) {
                        if (q[0] < nx && q[1] < ny && q[2] < nz) {
                            int b = (int) d[q[0] + nx * (q[1] + ny * q[2])];
                            if (a != b && a > 0 && b > 0) {
                                out.merge((long) Math.min(a, b) << 32 | Math.max(a, b), 1, Integer::sum);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Triangles by their corner positions, rotated to start at the smallest; reversed when asked. */
    static Set<List<Float>> triangles(Mesh m, boolean reversed) {
        Set<List<Float>> out = new HashSet<>();
        float[] p = m.positions();
        int[] t = m.triangles();
        for (int i = 0; i < t.length; i += 3) {
            int[] c = reversed ? new int[] {t[i], t[i + 2], t[i + 1]} : new int[] {t[i], t[i + 1], t[i + 2]};
            int first = 0;
            for (int k = 1; k < 3; k++) {
                if (less(p, c[k], c[first])) {
                    first = k;
                }
            }
            Float[] key = new Float[9];
            for (int k = 0; k < 3; k++) {
                int q = 3 * c[(first + k) % 3];
                key[3 * k] = p[q];
                key[3 * k + 1] = p[q + 1];
                key[3 * k + 2] = p[q + 2];
            }
            out.add(List.of(key));
        }
        return out;
    }

    private static boolean less(float[] p, int a, int b) {
        for (int k = 0; k < 3; k++) {
            if (p[3 * a + k] != p[3 * b + k]) {
                return p[3 * a + k] < p[3 * b + k];
            }
        }
        return false;
    }

    /** The largest distance any vertex moved from its voxel corner (raw and smoothed meshes share vertex order). */
    static double maxMove(Mesh raw, Mesh smooth) {
        double worst = 0;
        float[] a = raw.positions(), b = smooth.positions();
        for (int i = 0; i < a.length; i += 3) {
            double dx = a[i] - b[i], dy = a[i + 1] - b[i + 1], dz = a[i + 2] - b[i + 2];
            worst = Math.max(worst, Math.sqrt(dx * dx + dy * dy + dz * dz));
        }
        return worst;
    }

    @Test
    void touchingBoxesStaySharedAndKeepTheirVolumes() {
        Volume v = volume(16, 14, 13, new double[] {0.5, 1, 2}, (x, y, z) ->
                y >= 2 && y <= 11 && z >= 2 && z <= 10 ? (x >= 2 && x <= 7 ? 1 : x >= 8 && x <= 13 ? 2 : 0) : 0);
        LabelSurfaces.Result r = smoothed(v);
        assertSmoothSound(v, r);
        LabelSurfaces.Result raw = LabelSurfaces.extract(v, LabelSelection.all(), 1);
        assertTrue(maxMove(raw.structures().get(0).mesh(), r.structures().get(0).mesh()) > 0.2, "the boxes' edges are rounded");
    }

    @Test
    void nestedSpheresAreRoundAndKeepTheirVolumes() {
        int n = 40;
        Volume v = volume(n, (x, y, z) -> {
            double r2 = (x - 19.5) * (x - 19.5) + (y - 19.5) * (y - 19.5) + (z - 19.5) * (z - 19.5);
            return r2 <= 64 ? 2 : r2 <= 256 ? 1 : 0;
        });
        LabelSurfaces.Result r = smoothed(v);
        assertSmoothSound(v, r);
        Mesh inner = r.structures().get(1).mesh();
        Mesh outer = r.structures().get(0).mesh();
        // Against the exact balls: the voxel volume's own error (under 3%) plus the 1% correction bound.
        double ball8 = 4 / 3.0 * Math.PI * 512;
        double ball16 = 4 / 3.0 * Math.PI * 4096;
        assertEquals(ball8, MeshQuality.signedVolume(inner), 0.04 * ball8);
        assertEquals(ball16 - ball8, MeshQuality.signedVolume(outer), 0.04 * (ball16 - ball8));
        // Smoothed, the vertices lie close to a sphere: raw corners stray up to about 0.9 voxel.
        double[] spread = radii(inner, 19.5);
        double[] rawSpread = radii(LabelSurfaces.extract(v, LabelSelection.all(), 1).structures().get(1).mesh(), 19.5);
        System.out.printf("inner sphere radius: raw %.3f..%.3f, smoothed %.3f..%.3f%n", rawSpread[0], rawSpread[1], spread[0], spread[1]);
        assertTrue(spread[1] - spread[0] < 0.5 * (rawSpread[1] - rawSpread[0]), "smoothed radii spread less than half the raw");
        assertTrue(spread[0] > 7.4 && spread[1] < 8.6, "smoothed radii within 0.6 voxel of 8");
    }

    private static double[] radii(Mesh m, double c) {
        double lo = Double.MAX_VALUE, hi = 0;
        float[] p = m.positions();
        for (int i = 0; i < p.length; i += 3) {
            double r = Math.sqrt((p[i] - c) * (p[i] - c) + (p[i + 1] - c) * (p[i + 1] - c) + (p[i + 2] - c) * (p[i + 2] - c));
            lo = Math.min(lo, r);
            hi = Math.max(hi, r);
        }
        return new double[] {lo, hi};
    }

    @Test
    void checkerboardOfBlocksWithEightLabels() {
        Volume v = volume(12, (x, y, z) -> 1 + (x / 3 % 2) + 2 * (y / 3 % 2) + 4 * (z / 3 % 2));
        assertSmoothSound(v, smoothed(v));
    }

    @Test
    void checkerboardOfSingleVoxels() {
        Volume v = volume(6, (x, y, z) -> 1 + (x + y + z) % 2);
        assertSmoothSound(v, smoothed(v));
    }

    @Test
    void oneVoxelStructuresKeepTheirCubes() {
        // Smoothing would shrink a lone voxel toward a point; it keeps its voxel shape instead.
        Volume v = volume(7, (x, y, z) -> x == 1 && y == 1 && z == 1 ? 3 : x == 4 && y == 4 && z == 4 ? 5
                : x == 5 && y == 4 && z == 4 ? 6 : 0);
        LabelSurfaces.Result r = smoothed(v);
        assertSmoothSound(v, r);
        for (LabelSurfaces.Structure s : r.structures()) {
            assertEquals(1.0, MeshQuality.signedVolume(s.mesh()), 1e-6, "label " + s.label());
        }
    }

    @Test
    void labelsAtTheBorderKeepFlatCapsOnTheBorder() {
        int n = 10;
        Volume v = volume(n, (x, y, z) -> x < 4 ? 1 : (y + z) / 6 % 2 == 0 ? 2 : 3);
        LabelSurfaces.Result r = smoothed(v);
        assertSmoothSound(v, r);
        for (LabelSurfaces.Structure s : r.structures()) {
            float[] p = s.mesh().positions();
            for (int i = 0; i < p.length; i++) {
                assertTrue(p[i] >= -0.5f - 1e-4f && p[i] <= n - 0.5f + 1e-4f, "label " + s.label() + " stays inside the volume");
            }
        }
        // The caps stay on the border planes: every raw vertex on x = -0.5 is still there.
        LabelSurfaces.Result raw = LabelSurfaces.extract(v, LabelSelection.all(), 1);
        Mesh a = raw.structures().get(0).mesh(), b = r.structures().get(0).mesh();
        for (int i = 0; i < a.positions().length; i += 3) {
            if (a.positions()[i] == -0.5f) {
                assertEquals(-0.5f, b.positions()[i], 1e-5f);
            }
        }
    }

    @Test
    void randomLabelMapsStayManifoldAndKeepTheirVolumes() {
        Random rnd = new Random(15);
        int n = 14;
        int[] labels = new int[n * n * n];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rnd.nextInt(4);
        }
        // Blocky noise (2-voxel cells) so structures have some size
        Volume v = volume(n, (x, y, z) -> labels[(x / 2) + n * ((y / 2) + n * (z / 2))]);
        assertSmoothSound(v, smoothed(v));
    }

    @Test
    void aalAtlasSmoothedStructuresStayClosedWithinOnePercent() throws Exception {
        java.nio.file.Path aal = java.nio.file.Path.of("/usr/share/mricron/templates/aal.nii.gz");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(aal), "mricron-data not installed");
        Volume v = dev.meshpipe.mesh.io.VolumeReader.read(aal.toString(), dev.meshpipe.mesh.VolumeLimits.defaults());
        LabelSurfaces.Plan plan = LabelSurfaces.plan(v, LabelSelection.all());
        LabelSurfaces.SmoothingReport rep = plan.smooth(SMOOTH, 2);
        double worst = 0;
        int pinched = 0;
        for (int k = 0; k < plan.size(); k++) {
            LabelSurfaces.Structure s = plan.structure(k);
            Topology t = Topology.of(s.mesh());
            assertTrue(t.closed(), "label " + s.label());
            pinched += t.badEdges() / 2;
            worst = Math.max(worst, Math.abs(MeshQuality.signedVolume(s.mesh()) - s.voxelVolume()) / s.voxelVolume());
        }
        System.out.println("aal smoothed: " + rep + ", worst volume error " + worst + ", pinched edges " + pinched);
        assertTrue(worst <= 0.01, "worst volume error " + worst);
        assertEquals(0, pinched, "pinched edges");
    }
}
