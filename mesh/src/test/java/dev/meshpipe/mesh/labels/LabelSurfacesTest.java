package dev.meshpipe.mesh.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.Volume;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class LabelSurfacesTest {

    interface Labeller {
        int label(int x, int y, int z);
    }

    static Volume volume(int nx, int ny, int nz, double[] spacing, Labeller f) {
        float[] d = new float[nx * ny * nz];
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    d[x + nx * (y + ny * z)] = f.label(x, y, z);
                }
            }
        }
        return new Volume(nx, ny, nz, d, spacing, Volume.identity(), true, Double.NaN, "labels");
    }

    static Volume volume(int n, Labeller f) {
        return volume(n, n, n, new double[] {1, 1, 1}, f);
    }

    /**
     * Every structure closed and manifold, and its signed volume its voxel volume: exact for
     * unsmoothed nets but for the copies moved off a corner at a diagonal edge
     * ({@link DiagonalEdges#OFFSET}, a thousandth of a voxel), which change it by about that much.
     */
    static void assertSound(LabelSurfaces.Result r) {
        for (LabelSurfaces.Structure s : r.structures()) {
            Topology t = Topology.of(s.mesh());
            assertTrue(t.closedManifold(), "label " + s.label() + ": " + t);
            assertEquals(0, t.unusedVertices(), "label " + s.label());
            assertTrue(MeshQuality.of(s.mesh()).watertight(), "label " + s.label());
            assertEquals(s.voxelVolume(), MeshQuality.signedVolume(s.mesh()), 1e-4 * Math.max(1, s.voxelVolume()),
                    "label " + s.label() + " volume");
        }
    }

    static Set<List<Float>> points(Mesh m, IntPredicate onInterface) {
        Set<List<Float>> out = new HashSet<>();
        float[] p = m.positions();
        for (int v = 0; v < m.vertexCount(); v++) {
            if (onInterface.test(v)) {
                out.add(List.of(p[3 * v], p[3 * v + 1], p[3 * v + 2]));
            }
        }
        return out;
    }

    @Test
    void oneVoxelIsACubeOfEightVerticesAndTwelveTriangles() {
        Volume v = volume(3, (x, y, z) -> x == 1 && y == 1 && z == 1 ? 7 : 0);
        LabelSurfaces.Result r = LabelSurfaces.extract(v, LabelSelection.all(), 1);
        assertEquals(1, r.structures().size());
        Mesh m = r.structures().get(0).mesh();
        assertEquals(8, m.vertexCount());
        assertEquals(12, m.triangleCount());
        assertEquals(1.0, MeshQuality.signedVolume(m), 1e-9);
        assertSound(r);
    }

    @Test
    void touchingBoxesShareTheirInterfaceVertexForVertex() {
        // A is x in [2,5], B is x in [6,9]; they meet on the plane x = 5.5 (grid space).
        Volume v = volume(12, 10, 9, new double[] {0.5, 1, 2}, (x, y, z) ->
                y >= 2 && y <= 7 && z >= 1 && z <= 6 ? (x >= 2 && x <= 5 ? 1 : x >= 6 && x <= 9 ? 2 : 0) : 0);
        LabelSurfaces.Result r = LabelSurfaces.extract(v, LabelSelection.all(), 2);
        assertSound(r);
        Mesh a = r.structures().get(0).mesh();
        Mesh b = r.structures().get(1).mesh();
        float plane = (float) (5.5 * 0.5);
        Set<List<Float>> ia = points(a, i -> a.positions()[3 * i] == plane);
        Set<List<Float>> ib = points(b, i -> b.positions()[3 * i] == plane);
        assertEquals(7 * 7, ia.size());
        assertEquals(ia, ib);
        assertEquals(4 * 6 * 6 * 0.5 * 1 * 2, r.structures().get(0).voxelVolume(), 1e-9);
    }

    @Test
    void nestedSpheresShareTheInnerBoundaryAndKeepVoxelVolumes() {
        int n = 40;
        Volume v = volume(n, (x, y, z) -> {
            double r2 = (x - 19.5) * (x - 19.5) + (y - 19.5) * (y - 19.5) + (z - 19.5) * (z - 19.5);
            return r2 <= 64 ? 2 : r2 <= 256 ? 1 : 0;
        });
        LabelSurfaces.Result r = LabelSurfaces.extract(v, LabelSelection.all(), 2);
        assertSound(r);
        Mesh outer = r.structures().get(0).mesh();
        Mesh inner = r.structures().get(1).mesh();
        // Every inner vertex lies on the outer shell's inner wall: same points, no gap, no overlap.
        Set<List<Float>> outerPoints = points(outer, i -> true);
        assertTrue(outerPoints.containsAll(points(inner, i -> true)));
        // The outer shell is two surfaces (outside and the cavity), each closed.
        assertEquals(2, MeshQuality.of(outer).connectedComponents());
        // Voxelised spheres against the exact balls: within 3% at radii 8 and 16 voxels.
        double ball8 = 4 / 3.0 * Math.PI * 512;
        double ball16 = 4 / 3.0 * Math.PI * 4096;
        assertEquals(ball8, r.structures().get(1).voxelVolume(), 0.03 * ball8);
        assertEquals(ball16 - ball8, r.structures().get(0).voxelVolume(), 0.03 * (ball16 - ball8));
    }

    @Test
    void checkerboardOfVoxelsStaysManifold() {
        // Every label meets itself only diagonally: the worst case for a shared corner vertex.
        Volume v = volume(6, (x, y, z) -> 1 + (x + y + z) % 2);
        LabelSurfaces.Result r = LabelSurfaces.extract(v, LabelSelection.all(), 2);
        assertSound(r);
        // 108 voxels per label, each its own closed cube: 6 faces = 12 triangles.
        assertEquals(108 * 12, r.structures().get(0).mesh().triangleCount());
        assertEquals(108, MeshQuality.of(r.structures().get(0).mesh()).connectedComponents());
    }

    @Test
    void checkerboardOfBlocksWithEightLabels() {
        Volume v = volume(12, (x, y, z) -> 1 + (x / 3 % 2) + 2 * (y / 3 % 2) + 4 * (z / 3 % 2));
        LabelSurfaces.Result r = LabelSurfaces.extract(v, LabelSelection.all(), 2);
        assertEquals(8, r.structures().size());
        assertSound(r);
        for (LabelSurfaces.Structure s : r.structures()) {
            assertEquals(8 * 27, s.voxels());
        }
    }

    @Test
    void labelsTouchingTheBorderAreClosed() {
        Volume v = volume(5, 4, 3, new double[] {1, 1, 1}, (x, y, z) -> x < 2 ? 1 : 2);
        LabelSurfaces.Result r = LabelSurfaces.extract(v, LabelSelection.all(), 1);
        assertSound(r);
        assertEquals(24.0, MeshQuality.signedVolume(r.structures().get(0).mesh()), 1e-9);
        assertEquals(36.0, MeshQuality.signedVolume(r.structures().get(1).mesh()), 1e-9);
    }

    /**
     * Random noise is the worst case: a label whose voxels touch only along an edge, and whose two
     * sheets are joined again around both ends of that edge, used to leave that edge in four
     * triangles (a pinch); it now connects through the edge (DiagonalEdgesTest), so every surface is
     * closed and manifold, and its volume within the offsets' change of its voxel volume.
     */
    @Test
    void randomLabelMapsAreClosedAndManifold() {
        Random rnd = new Random(15);
        double worst = 0;
        for (int trial = 0; trial < 20; trial++) {
            int labels = 1 + rnd.nextInt(4);
            float[] d = new float[10 * 9 * 8];
            for (int i = 0; i < d.length; i++) {
                d[i] = rnd.nextInt(labels + 1);
            }
            Volume v = new Volume(10, 9, 8, d, new double[] {1, 1, 1}, Volume.identity(), true, Double.NaN, "random");
            for (LabelSurfaces.Structure s : LabelSurfaces.extract(v, LabelSelection.all(), 2).structures()) {
                Topology t = Topology.of(s.mesh());
                assertTrue(t.closedManifold(), "label " + s.label() + ": " + t);
                double diff = Math.abs(MeshQuality.signedVolume(s.mesh()) - s.voxelVolume()) / s.voxelVolume();
                worst = Math.max(worst, diff);
            }
        }
        System.out.printf("random label maps: worst |surface - voxel| volume %.2g%n", worst);
        assertTrue(worst < 1e-3, "volume within the offsets' change: " + worst);
    }

    @Test
    void worldPlacementAndMirroredAffinesKeepOutwardNormals() {
        double[] mirror = {-1, 0, 0, 10, 0, 2, 0, 0, 0, 0, 1, -5, 0, 0, 0, 1};
        float[] d = new float[27];
        d[13] = 3;
        Volume v = new Volume(3, 3, 3, d, new double[] {1, 1, 1}, mirror, true, Double.NaN, "mirror");
        LabelSurfaces.Structure s = LabelSurfaces.extract(v, LabelSelection.all(), 1).structures().get(0);
        assertEquals(2.0, s.voxelVolume(), 1e-12);
        assertEquals(2.0, MeshQuality.signedVolume(s.mesh()), 1e-6);
    }

    static Volume randomLabels(int nx, int ny, int nz, int labels, int zeroOneIn, long seed) {
        Random rnd = new Random(seed);
        return volume(nx, ny, nz, new double[] {1, 1.5, 0.5},
                (x, y, z) -> rnd.nextInt(zeroOneIn) == 0 ? 0 : 1 + rnd.nextInt(labels));
    }

    static void assertSameSurfaces(LabelSurfaces.Result expected, LabelSurfaces.Result actual) {
        assertEquals(expected.structures().size(), actual.structures().size());
        for (int k = 0; k < expected.structures().size(); k++) {
            Mesh e = expected.structures().get(k).mesh();
            Mesh a = actual.structures().get(k).mesh();
            assertArrayEquals(e.positions(), a.positions(), "label " + expected.structures().get(k).label());
            assertArrayEquals(e.triangles(), a.triangles(), "label " + expected.structures().get(k).label());
        }
    }

    /**
     * Label indices and mesher arrays are kept for the next extraction (Spares): a larger map
     * meshed in between, whose labels fill what is now the smaller map's background border and
     * whose stamps are newer, must change nothing.
     */
    @Test
    void workArraysKeptFromALargerMapLeaveNoTrace() {
        Volume small = randomLabels(9, 8, 7, 3, 3, 21);
        LabelSurfaces.Result before = LabelSurfaces.extract(small, LabelSelection.all(), 2);
        assertSound(before);
        for (int round = 0; round < 3; round++) {
            LabelSurfaces.extract(randomLabels(16, 14, 12, 4, 1000, 22 + round), LabelSelection.all(), 2);
            LabelSurfaces.Result after = LabelSurfaces.extract(small, LabelSelection.all(), 2);
            assertSound(after);
            assertSameSurfaces(before, after);
        }
    }

    @Test
    void extractionsAtOnceInOneJvmGiveTheSameSurfaces() throws Exception {
        Volume v = randomLabels(12, 11, 10, 5, 4, 31);
        LabelSurfaces.Result expected = LabelSurfaces.extract(v, LabelSelection.all(), 1);
        java.util.concurrent.ExecutorService jobs = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<LabelSurfaces.Result>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                // Other maps in between, so the jobs hand each other arrays of every size.
                Volume w = i % 2 == 0 ? v : randomLabels(6 + i, 7, 5, 3, 5, i);
                results.add(jobs.submit(() -> LabelSurfaces.extract(w, LabelSelection.all(), 2)));
            }
            for (int i = 0; i < results.size(); i += 2) {
                assertSameSurfaces(expected, results.get(i).get());
            }
        } finally {
            jobs.shutdownNow();
        }
    }

    /** The unsmoothed twin of a smoothed structure is placed by the same (mirroring) affine and keeps its voxel volume. */
    @Test
    void rawTwinOfASmoothedMirroredMapIsPlacedLikeTheStructure() {
        double[] mirror = {-1, 0, 0, 10, 0, 2, 0, 0, 0, 0, 1, -5, 0, 0, 0, 1};
        Volume labels = volume(10, (x, y, z) -> x < 5 ? 1 : (x - 7) * (x - 7) + (y - 5) * (y - 5) + (z - 5) * (z - 5) < 6 ? 2 : 0);
        Volume v = new Volume(10, 10, 10, labels.data(), new double[] {1, 1, 1}, mirror, true, Double.NaN, "mirror");
        LabelSurfaces.Plan plan = LabelSurfaces.plan(v, LabelSelection.all());
        plan.smooth(LabelSmoothing.Options.defaults(), 2);
        for (int k = 0; k < plan.size(); k++) {
            LabelSurfaces.Meshed m = plan.meshed(k, true);
            assertArrayEquals(m.structure().mesh().triangles(), m.raw().triangles());
            assertEquals(m.structure().voxelVolume(), MeshQuality.signedVolume(m.raw()), 1e-3 * m.structure().voxelVolume(),
                    "label " + plan.label(k));
        }
    }

    @Test
    void selectionDropsSmallStructuresAndReportsMissingIds() {
        Volume v = volume(8, (x, y, z) -> x < 4 ? 1 : y < 1 && z < 1 ? 3 : x == 7 ? 5 : 0);
        LabelSurfaces.Result r = LabelSurfaces.extract(v, LabelSelection.parse("1,3-5,9").withMinVoxels(5), 2);
        assertEquals(List.of(1, 5), r.structures().stream().map(LabelSurfaces.Structure::label).toList());
        assertEquals(List.of(new LabelSurfaces.Dropped(3, 4)), r.dropped());
        assertEquals(List.of(9), r.missing());
        assertEquals(3, r.labelsPresent());
        assertSound(r);
    }

    @Test
    void tooManyStructuresIsAnErrorNotAPartialResult() {
        Volume v = volume(6, (x, y, z) -> 1 + x + 6 * y);
        MeshException e = assertThrows(MeshException.class,
                () -> LabelSurfaces.extract(v, LabelSelection.all().withMaxLabels(10), 2));
        assertEquals(MeshError.VOLUME_TOO_LARGE, e.code());
        assertTrue(e.getMessage().contains("36 structures"), e.getMessage());
    }

    @Test
    void fractionalOrNegativeSamplesAreNotLabels() {
        for (float bad : new float[] {1.5f, -2f, Float.NaN}) {
            Volume v = volume(4, (x, y, z) -> 1);
            v.data()[17] = bad;
            MeshException e = assertThrows(MeshException.class, () -> LabelSurfaces.extract(v, LabelSelection.all(), 1));
            assertEquals(MeshError.INVALID_VOLUME, e.code());
            assertTrue(e.getMessage().contains("(1,0,1)"), e.getMessage());
        }
    }

    @Test
    void selectionSyntax() {
        LabelSelection s = LabelSelection.parse(" 1, 3 ,5-9");
        assertEquals("1,3,5-9", s.toString());
        assertTrue(s.includes(7));
        assertFalse(s.includes(4));
        assertFalse(LabelSelection.parse("0-3").includes(0));
        assertTrue(LabelSelection.parse("all").includes(123456));
        for (String bad : new String[] {"1,,2", "a", "9-5", "-3", "1-", "3.5", "99999999999"}) {
            MeshException e = assertThrows(MeshException.class, () -> LabelSelection.parse(bad), bad);
            assertEquals(MeshError.INVALID_PARAMETER, e.code());
        }
    }

    /**
     * AAL (mricron-data, 116 labels, 181x217x181 at 1 mm): each surface encloses its voxel volume
     * (within the offsets at diagonal edges) and is closed and manifold; it had 14 pinched edges in 9
     * structures. Once welded by position, edges where a label's two voxels touch along an edge and
     * are kept apart (both copies of the corners on one point) are still in four triangles: counted.
     */
    @Test
    void aalAtlas() throws Exception {
        java.nio.file.Path aal = java.nio.file.Path.of("/usr/share/mricron/templates/aal.nii.gz");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(aal), "mricron-data not installed");
        Volume v = dev.meshpipe.mesh.io.VolumeReader.read(aal.toString(), dev.meshpipe.mesh.VolumeLimits.defaults());
        LabelSurfaces.Result r = LabelSurfaces.extract(v, LabelSelection.all(), 2);
        assertEquals(116, r.structures().size());
        long weldedEdges = 0;
        int welded = 0;
        double worst = 0;
        for (LabelSurfaces.Structure s : r.structures()) {
            Topology t = Topology.of(s.mesh());
            assertTrue(t.closedManifold(), "label " + s.label() + ": " + t);
            Topology w = Topology.welded(s.mesh());
            weldedEdges += w.badEdges() / 2;
            welded += w.badEdges() > 0 ? 1 : 0;
            double diff = Math.abs(MeshQuality.signedVolume(s.mesh()) - s.voxelVolume()) / s.voxelVolume();
            worst = Math.max(worst, diff);
        }
        System.out.printf("aal: %d structures, %d triangles, %d voxels labelled, worst |surface - voxel| volume %.2g, "
                + "no pinched edges; welded by position, %d edges in four triangles in %d structures%n",
                r.structures().size(), r.triangles(),
                r.structures().stream().mapToLong(LabelSurfaces.Structure::voxels).sum(), worst, weldedEdges, welded);
        assertTrue(worst < 1e-5, "surface volume equals voxel volume but for the offsets: " + worst);
        assertTrue(weldedEdges <= 150, weldedEdges + " edges in four triangles once welded");
    }
}
