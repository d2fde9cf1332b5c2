package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;

/**
 * TEMPORARY STUB so the finishing pipeline compiles on the {@code smooth} branch: the real quadric
 * decimator comes from the {@code decimate} branch and replaces this file at merge. It returns the
 * input unchanged.
 */
public final class QuadricDecimator {
    private QuadricDecimator() {}

    /** targetFraction in (0,1] or 0 when unused; targetTriangles >0 or 0 when unused; maxErrorMm >0 or +Inf when unbounded. Stops at whichever is reached first. */
    public record Options(double targetFraction, long targetTriangles, double maxErrorMm) {}

    public record Result(Mesh mesh, long trianglesBefore, long trianglesAfter, long collapses, long refused, double maxErrorMm) {}

    public static Result decimate(Mesh mesh, Options options, int threads) {
        long n = mesh.triangleCount();
        return new Result(mesh, n, n, 0, 0, 0);
    }
}
