package dev.meshpipe.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.mc.CaseTable;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MarchingCubesTest {

    /** One cell whose corners are inside (1) or outside (0) as the case's bits say. */
    static Volume cell(int caseIndex) {
        float[] d = new float[8];
        int[][] corner = {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 1, 1}};
        for (int c = 0; c < 8; c++) {
            int[] xyz = corner[c];
            d[xyz[0] + 2 * (xyz[1] + 2 * xyz[2])] = (caseIndex >> c & 1) != 0 ? 1f : 0f;
        }
        return new Volume(2, 2, 2, d, new double[] {1, 1, 1}, Volume.identity(), true, 0.5, "case " + caseIndex);
    }

    @Test
    void everyCaseGivesTheTableTrianglesWhenOpen() {
        for (int c = 0; c < 256; c++) {
            Mesh m = MarchingCubes.extract(cell(c), 0.5, false, 1);
            assertEquals(CaseTable.TRIANGLE_COUNT[c], m.triangleCount(), "case " + c);
            assertEquals(0, MeshQuality.of(m).degenerateTriangles(), "case " + c);
        }
    }

    @Test
    void everyCaseIsClosedAndFacesOutwardWithClosedBorders() {
        for (int c = 1; c < 256; c++) {
            Mesh m = MarchingCubes.extract(cell(c), 0.5, true, 1);
            MeshQuality q = MeshQuality.of(m);
            assertTrue(q.watertight(), "case " + c + " open: " + q);
            assertEquals(0, q.degenerateTriangles(), "case " + c);
            assertTrue(MeshQuality.signedVolume(m) > 0, "case " + c + " faces inward");
            // Each inside component is a closed surface of genus 0.
            assertEquals(2 * q.connectedComponents(), q.eulerCharacteristic(), "case " + c);
        }
    }

    @Test
    void noDuplicatePositionsAndNoCollapsedTrianglesWhenIsoHitsVoxelValues() {
        // Integer data with an integer isovalue: many vertices land exactly on grid points.
        int n = 12;
        float[] d = new float[n * n * n];
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextInt(4);
        }
        Volume v = new Volume(n, n, n, d, new double[] {1, 1, 1}, Volume.identity(), true, 2, "random ints");
        for (boolean closed : new boolean[] {false, true}) {
            Mesh m = MarchingCubes.extract(v, 2.0, closed, 3);
            Set<String> seen = new HashSet<>();
            float[] p = m.positions();
            for (int i = 0; i < p.length; i += 3) {
                assertTrue(seen.add(p[i] + "," + p[i + 1] + "," + p[i + 2]), "duplicate vertex " + p[i] + "," + p[i + 1] + "," + p[i + 2]);
            }
            int[] t = m.triangles();
            for (int i = 0; i < t.length; i += 3) {
                assertTrue(t[i] != t[i + 1] && t[i + 1] != t[i + 2] && t[i] != t[i + 2]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7})
    void threadCountDoesNotChangeTheMesh(int threads) {
        Volume v = SyntheticVolumes.create("gyroid:40:2", VolumeLimits.defaults());
        Mesh one = MarchingCubes.extract(v, 0.0, true, 1);
        Mesh many = MarchingCubes.extract(v, 0.0, true, threads);
        assertTrue(java.util.Arrays.equals(one.positions(), many.positions()));
        assertTrue(java.util.Arrays.equals(one.triangles(), many.triangles()));
    }

    @Test
    void sphereAreaAndVolumeConvergeToTheAnalyticValues() {
        double prevAreaErr = Double.MAX_VALUE;
        for (int n : new int[] {32, 64, 128}) {
            double r = 0.4 * n;
            Volume v = SyntheticVolumes.create("sphere:" + n, VolumeLimits.defaults());
            Mesh m = MarchingCubes.extract(v, 0, true, 2);
            MeshQuality q = MeshQuality.of(m);
            assertTrue(q.watertight());
            assertEquals(0, q.boundaryEdges());
            assertEquals(0, q.nonManifoldEdges());
            assertEquals(2, q.eulerCharacteristic());
            assertEquals(1, q.connectedComponents());
            assertTrue(MeshQuality.signedVolume(m) > 0, "sphere faces inward");
            double areaErr = Math.abs(q.surfaceArea() / (4 * Math.PI * r * r) - 1);
            double volErr = Math.abs(q.enclosedVolume() / (4.0 / 3 * Math.PI * r * r * r) - 1);
            assertTrue(areaErr < 0.1, "area error " + areaErr);
            assertTrue(volErr < 0.01, "volume error " + volErr);
            assertTrue(areaErr < prevAreaErr || areaErr < 0.08, "area error does not shrink: " + areaErr);
            prevAreaErr = areaErr;
        }
    }

    @Test
    void torusIsClosedWithGenusOne() {
        Volume v = SyntheticVolumes.create("torus:64", VolumeLimits.defaults());
        MeshQuality q = MeshQuality.of(MarchingCubes.extract(v, 0, true, 2));
        assertTrue(q.watertight());
        assertEquals(0, q.eulerCharacteristic());
        double big = 0.3 * 64;
        double small = 0.1 * 64;
        assertEquals(2 * Math.PI * Math.PI * big * small * small, q.enclosedVolume(), 0.02 * q.enclosedVolume());
    }

    @Test
    void closedBordersCapAGyroidCutByTheBox() {
        Volume v = SyntheticVolumes.create("gyroid:48:2", VolumeLimits.defaults());
        MeshQuality open = MeshQuality.of(MarchingCubes.extract(v, 0, false, 2));
        MeshQuality closed = MeshQuality.of(MarchingCubes.extract(v, 0, true, 2));
        assertTrue(open.boundaryEdges() > 0);
        assertTrue(closed.watertight());
    }

}
