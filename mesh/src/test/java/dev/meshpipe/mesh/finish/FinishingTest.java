package dev.meshpipe.mesh.finish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshpipe.mesh.Iso;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.io.VolumeReader;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FinishingTest {
    static final Path CH2BET = Path.of("/usr/share/mricron/templates/ch2bet.nii.gz");

    static Mesh synthetic(String spec) {
        return MarchingCubes.extract(SyntheticVolumes.create(spec, VolumeLimits.defaults()), 0, true, 2);
    }

    /** A signed-distance volume (negative inside) from a function of grid coordinates. */
    static Volume field(int n, ToDoubleFunction<double[]> f) {
        float[] d = new float[n * n * n];
        double[] q = new double[3];
        for (int z = 0; z < n; z++) {
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    q[0] = x;
                    q[1] = y;
                    q[2] = z;
                    d[x + n * (y + n * z)] = (float) f.applyAsDouble(q);
                }
            }
        }
        return new Volume(n, n, n, d, new double[] {1, 1, 1}, Volume.identity(), false, 0, "test field");
    }

    static double dist(double[] q, double cx, double cy, double cz) {
        return Math.sqrt((q[0] - cx) * (q[0] - cx) + (q[1] - cy) * (q[1] - cy) + (q[2] - cz) * (q[2] - cz));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sphere:64:20", "torus:80", "gyroid:64:2"})
    void smoothingKeepsClosedSurfacesClosedAndTheirVolume(String spec) {
        Mesh raw = synthetic(spec);
        SurfaceMetrics.Report before = SurfaceMetrics.of(raw, false, 2);
        assertTrue(before.watertight());
        Finishing.Result r = Finishing.run(raw, Finishing.Options.preset("smooth"), null, 2);
        SurfaceMetrics.Report after = r.report().surface();
        assertTrue(after.watertight(), "closed in, closed out");
        assertEquals(before.nonManifoldEdges(), after.nonManifoldEdges());
        assertEquals(before.oriented(), after.oriented());
        assertEquals(raw.triangleCount(), r.mesh().triangleCount());
        assertEquals(0, after.selfIntersections());
        assertTrue(Math.abs(r.report().volumeChangePercent()) < 0.5, "volume change " + r.report().volumeChangePercent() + "%");
        // Smoothing moved the surface, but by less than a voxel.
        assertTrue(r.report().hausdorffToRaw().max() > 0.01);
        assertTrue(r.report().hausdorffToRaw().max() < 1, "hausdorff " + r.report().hausdorffToRaw());
    }

    @Test
    void withoutVolumePreservationTheSphereShrinks() {
        Mesh raw = synthetic("sphere:64:12");
        Mesh smoothed = WindowedSincSmoother.smooth(raw, 20, 0.001, 2);
        double change = Finishing.percent(Finishing.totalVolume(smoothed), Finishing.totalVolume(raw));
        assertTrue(change < -0.5, "plain windowed sinc shrinks a small sphere: " + change + "%");
        Finishing.Options kept = new Finishing.Options("test", 20, 0.001, null, true, false, 0, false, 0, 0, Double.POSITIVE_INFINITY);
        assertTrue(Math.abs(Finishing.run(raw, kept, null, 2).report().volumeChangePercent()) < 0.01);
    }

    @Test
    void smoothingMakesAStairStepSphereRounder() {
        // A binary ball (a mask, as segmentations are): marching cubes gives voxel stair-steps.
        Mesh raw = MarchingCubes.extract(field(64, q -> dist(q, 31.5, 31.5, 31.5) < 20 ? -1 : 1), 0, true, 2);
        Mesh smooth = Finishing.run(raw, Finishing.Options.preset("smooth"), null, 2).mesh();
        assertTrue(radiusSpread(smooth) < 0.5 * radiusSpread(raw), radiusSpread(smooth) + " vs " + radiusSpread(raw));
    }

    /** Standard deviation of the vertices' distances from the sphere's centre. */
    private static double radiusSpread(Mesh m) {
        float[] p = m.positions();
        double c = 31.5, s = 0, s2 = 0;
        int n = m.vertexCount();
        for (int v = 0; v < n; v++) {
            double r = Math.sqrt(Math.pow(p[3 * v] - c, 2) + Math.pow(p[3 * v + 1] - c, 2) + Math.pow(p[3 * v + 2] - c, 2));
            s += r;
            s2 += r * r;
        }
        return Math.sqrt(s2 / n - (s / n) * (s / n));
    }

    @Test
    void openBordersStayWhereMarchingCubesPutThem() {
        Volume v = SyntheticVolumes.create("gyroid:48:2", VolumeLimits.defaults());
        Mesh raw = MarchingCubes.extract(v, 0, false, 2);
        Adjacency adj = Adjacency.of(raw, 2);
        assertTrue(adj.boundaryEdges > 0);
        Mesh smooth = Finishing.run(raw, Finishing.Options.preset("smooth"), null, 2).mesh();
        int moved = 0;
        int fixedVertices = 0;
        for (int i = 0; i < raw.vertexCount(); i++) {
            if ((adj.flags[i] & Adjacency.BOUNDARY) != 0) {
                fixedVertices++;
                for (int a = 0; a < 3; a++) {
                    moved += raw.positions()[3 * i + a] != smooth.positions()[3 * i + a] ? 1 : 0;
                }
            }
        }
        assertTrue(fixedVertices > 0);
        assertEquals(0, moved);
        assertEquals(adj.boundaryEdges, Adjacency.of(smooth, 2).boundaryEdges);
    }

    @Test
    void ch2betKeepsItsVolumeAndStaysClosed() throws Exception {
        assumeTrue(Files.exists(CH2BET), "mricron-data is not installed");
        Volume v = VolumeReader.read(CH2BET.toString(), VolumeLimits.defaults());
        double iso = MeshJob.chooseIso(v, Iso.DEFAULT).value();
        Mesh raw = MarchingCubes.extract(v, iso, true, 2).transformed(v.gridToWorld());
        double voxels = SurfaceMetrics.voxelVolume(v, iso);
        Finishing.Result r = Finishing.run(raw, Finishing.Options.preset("smooth"), voxels, 2);
        assertTrue(Math.abs(r.report().volumeChangePercent()) < 0.5, r.report().volumeChangePercent() + "%");
        assertTrue(r.report().surface().watertight());
        // The raw surface and the voxel count agree to within a few percent (half-voxel placement).
        assertTrue(Math.abs(r.report().rawVsVoxelPercent()) < 5, r.report().rawVsVoxelPercent() + "%");
        assertTrue(r.report().hausdorffToRaw().p95() < 1.0, r.report().hausdorffToRaw().toString());
    }

    @Test
    void hausdorffOfAMeshAgainstItselfIsZero() {
        Mesh m = synthetic("torus:48");
        Mesh copy = new Mesh(m.positions().clone(), m.triangles().clone());
        SurfaceMetrics.Hausdorff h = SurfaceMetrics.hausdorff(m, copy, 2);
        assertEquals(0, h.max(), 0);
        assertEquals(0, h.mean(), 0);
    }

    @Test
    void hausdorffBetweenConcentricSpheresIsTheRadiusDifference() {
        Mesh big = synthetic("sphere:96:30");
        float[] p = big.positions().clone();
        double c = 47.5;
        double scale = 0.9; // radius 30 -> 27
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (c + (p[i] - c) * scale);
        }
        Mesh small = new Mesh(p, big.triangles());
        SurfaceMetrics.Hausdorff h = SurfaceMetrics.hausdorff(big, small, 2);
        // Vertices lie on the marching-cubes sphere, within a few hundredths of a voxel of radius 30.
        assertEquals(3.0, h.max(), 0.1);
        assertEquals(3.0, h.mean(), 0.1);
        assertEquals(3.0, h.p95(), 0.1);
    }

    @Test
    void selfIntersectionsCountsACraftedCrossingPair() {
        float[] p = {
            0, 0, 0, 2, 0, 0, 0, 2, 0, // in the plane z = 0
            0.5f, 0.5f, -1, 0.5f, 0.5f, 1, 1.5f, -1, 0, // pierces the first
            10, 10, 10, 11, 10, 10, 10, 11, 10, // far away
        };
        assertEquals(1, SurfaceMetrics.selfIntersections(new Mesh(p, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8}), 1));
        // The same two, sharing a vertex, are not counted: a fan's neighbours always touch.
        float[] q = p.clone();
        assertEquals(0, SurfaceMetrics.selfIntersections(new Mesh(q, new int[] {0, 1, 2, 0, 4, 5}), 1));
        assertEquals(0, SurfaceMetrics.selfIntersections(synthetic("sphere:48:15"), 2));
    }

    @Test
    void fillCavitiesRemovesTheInnerWallOfAHollowSphere() {
        Volume shell = field(64, q -> Math.abs(dist(q, 31.5, 31.5, 31.5) - 18) - 6); // radii 12 and 24
        Mesh raw = MarchingCubes.extract(shell, 0, true, 2);
        Components.Labels labels = Components.label(raw);
        assertEquals(2, labels.count());
        Components.Cleaned filled = Components.fillCavities(raw, 2);
        assertEquals(1, filled.removed().components());
        assertEquals(1, Components.label(filled.mesh()).count());
        double expected = 4.0 / 3 * Math.PI * 24 * 24 * 24;
        assertEquals(expected, Finishing.totalVolume(filled.mesh()), expected * 0.01);
        assertTrue(SurfaceMetrics.of(filled.mesh(), false, 2).watertight());
    }

    @Test
    void anIslandInsideAFilledCavityGoesWithIt() {
        // A hollow ball (radii 12..24) with a ball of radius 5 floating in the void.
        Volume v = field(64, q -> {
            double d = dist(q, 31.5, 31.5, 31.5);
            return Math.min(Math.abs(d - 18) - 6, d - 5);
        });
        Mesh raw = MarchingCubes.extract(v, 0, true, 2);
        assertEquals(3, Components.label(raw).count());
        Components.Cleaned filled = Components.fillCavities(raw, 2);
        assertEquals(2, filled.removed().components());
        assertEquals(1, Components.label(filled.mesh()).count());
    }

    @Test
    void keepLargestAndMinimumVolumeOnTwoSpheres() {
        Volume v = field(64, q -> Math.min(dist(q, 20, 32, 32) - 12, dist(q, 48, 32, 32) - 6));
        Mesh raw = MarchingCubes.extract(v, 0, true, 2);
        assertEquals(2, Components.label(raw).count());
        Components.Cleaned largest = Components.keepLargest(raw);
        assertEquals(1, largest.removed().components());
        double big = 4.0 / 3 * Math.PI * 12 * 12 * 12;
        assertEquals(big, Finishing.totalVolume(largest.mesh()), big * 0.02);
        assertEquals(1, Components.dropSmallerThan(raw, 1500).removed().components()); // the small one is ~905 mm^3
        assertEquals(0, Components.dropSmallerThan(raw, 500).removed().components());
    }

    @Test
    void metricsOfAClosedSphere() {
        Mesh m = synthetic("sphere:64:20");
        SurfaceMetrics.Report r = SurfaceMetrics.of(m, true, 2);
        assertTrue(r.watertight() && r.manifold() && r.oriented());
        assertEquals(1, r.components());
        assertEquals(4.0 / 3 * Math.PI * 8000, r.enclosedVolume(), 4.0 / 3 * Math.PI * 8000 * 0.01);
        assertEquals(0L, r.selfIntersections());
        // Flip one triangle: two misoriented... three edges, and not oriented any more.
        int[] t = m.triangles().clone();
        int s = t[1];
        t[1] = t[2];
        t[2] = s;
        SurfaceMetrics.Report flipped = SurfaceMetrics.of(new Mesh(m.positions(), t), false, 2);
        assertFalse(flipped.oriented());
        assertEquals(3, flipped.misorientedEdges());
    }

    @Test
    void aBowTieVertexIsNotManifold() {
        float[] p = {0, 0, 0, 1, 0, 0, 0, 1, 0, -1, 0, 0, 0, -1, 0};
        SurfaceMetrics.Report r = SurfaceMetrics.of(new Mesh(p, new int[] {0, 1, 2, 0, 3, 4}), false, 1);
        assertEquals(1, r.nonManifoldVertices());
        assertFalse(r.manifold());
    }

    @Test
    void presetsAndExplicitOverrides() {
        assertTrue(Finishing.Options.raw().isRaw());
        Finishing.Options print = Finishing.Options.preset("print");
        assertEquals(20, print.smoothingIterations());
        assertEquals(0.01, print.passBand(), 1e-12);
        assertTrue(print.keepLargest() && print.fillCavities() && print.volumePreservation());
        assertEquals(0.1, print.maxErrorMm());
        Finishing.Options custom = print.with(new Finishing.Smoothing(30, 0.1, null), new Finishing.Decimation(0.25, 0), 0.2,
                false, null, 10.0);
        assertEquals(30, custom.smoothingIterations());
        assertEquals(0.1, custom.passBand());
        assertEquals(0.25, custom.decimateFraction());
        assertEquals(0.2, custom.maxErrorMm());
        assertFalse(custom.keepLargest());
        assertTrue(custom.fillCavities());
        assertEquals(10.0, custom.minComponentVolumeMm3());
        Finishing.Options web = Finishing.Options.preset("web").with(Finishing.Smoothing.OFF, new Finishing.Decimation(0, 200000),
                null, null, null, null);
        assertFalse(web.smoothing());
        assertEquals(200000, web.decimateTriangles());
        // Decimation OFF turns print's decimation off, its 0.1 mm bound included.
        Finishing.Options printNoDecimation = print.with(null, Finishing.Decimation.OFF, null, null, null, null);
        assertFalse(printNoDecimation.decimation());
        assertTrue(printNoDecimation.smoothing() && printNoDecimation.keepLargest());
        assertEquals(MeshError.INVALID_PARAMETER, assertThrows(MeshException.class, () -> Finishing.Options.preset("glossy")).code());
    }

    @Test
    void coefficientsMatchVtksFilterAtThePassband() {
        // The filter's response at the passband frequency is 1 after VTK's offset search.
        for (double pb : new double[] {0.1, 0.01, 0.001}) {
            double[] c = WindowedSincSmoother.coefficients(20, pb);
            double theta = Math.acos(1 - 0.5 * pb);
            double f = 0;
            for (int i = 0; i < c.length; i++) {
                f += c[i] * Math.cos(i * theta);
            }
            assertEquals(1.0, f, 1e-3);
        }
    }
}
