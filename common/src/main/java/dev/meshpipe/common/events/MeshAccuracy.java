package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.finish.Finishing;
import dev.meshpipe.mesh.finish.SurfaceMetrics;

/**
 * The few accuracy figures of quality.json's {@code finishing} section that a client deciding
 * whether to print or simulate a mesh needs without opening the ZIP: how far finishing moved the
 * surface and whether the result is a closed, manifold, consistently oriented solid. The status
 * carries them so that {@code GET /jobs/{id}} answers that question (docs/quality.md).
 *
 * @param trianglesRaw           the marching-cubes surface's triangles, before finishing
 * @param volumeChangePercent    finished enclosed volume against the raw surface's
 * @param finishedVsVoxelPercent finished enclosed volume against the voxel count's volume
 * @param hausdorffMm            finished surface against the raw one; absent for {@code raw},
 *                               where the surface is the raw one
 * @param selfIntersections      pairs of triangles that cut through each other
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MeshAccuracy(String preset, Long trianglesRaw, Long triangles, Double volumeChangePercent,
                           Double finishedVsVoxelPercent, Hausdorff hausdorffMm, Boolean watertight, Boolean manifold,
                           Boolean orientedConsistently, Long selfIntersections) {

    /** Symmetric distances in mm between the finished and the raw surface. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hausdorff(Double max, Double p95, Double mean) {}

    /** The figures of one mesh's quality.json; null when it has no finishing section. */
    public static MeshAccuracy of(MeshJob.Quality quality) {
        Finishing.Report f = quality == null ? null : quality.finishing();
        if (f == null) {
            return null;
        }
        SurfaceMetrics.Report s = f.surface();
        return new MeshAccuracy(f.options() == null ? null : f.options().preset(), rawTriangles(f, quality.triangles()),
                quality.triangles(), finite(f.volumeChangePercent()), finite(f.finishedVsVoxelPercent()),
                hausdorff(f.hausdorffToRaw()), s == null ? quality.watertight() : s.watertight(),
                s == null ? null : s.manifold(), s == null ? null : s.oriented(), s == null ? null : s.selfIntersections());
    }

    /** The first stage saw the raw surface; with no stage the result is the raw surface. */
    private static long rawTriangles(Finishing.Report f, long finished) {
        return f.stages() == null || f.stages().isEmpty() ? finished : f.stages().get(0).trianglesBefore();
    }

    /** Null when nothing was measured: the raw surface is its own reference. */
    private static Hausdorff hausdorff(SurfaceMetrics.Hausdorff h) {
        if (h == null || h.samples() == 0) {
            return null;
        }
        return new Hausdorff(finite(h.max()), finite(h.p95()), finite(h.mean()));
    }

    /** JSON has no NaN or infinity, and a client should not have to parse them as strings. */
    private static Double finite(Double d) {
        return d == null || !Double.isFinite(d) ? null : d;
    }
}
