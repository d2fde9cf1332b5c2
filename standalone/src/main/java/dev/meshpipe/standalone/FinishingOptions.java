package dev.meshpipe.standalone;

import dev.meshpipe.common.events.JobParams;
import java.util.function.BiConsumer;
import picocli.CommandLine.Option;

/**
 * The finishing options, shared by {@code mesh} and {@code submit} so a new finishing parameter is
 * added once. Kept as text and parsed by JobParams, so both commands refuse a bad value with the
 * same message the gateway would give.
 */
final class FinishingOptions {
    @Option(names = "--preset", description = "finishing preset: raw (exact marching cubes, default), smooth, print or web")
    String preset;

    @Option(names = "--smoothing", description = "override the preset's smoothing: off, a factor 0..1 (Slicer's) or ITERATIONS:PASSBAND such as 20:0.1")
    String smoothing;

    @Option(names = "--decimate", description = "override the preset's decimation: off, a fraction of the triangles (0.25) or a triangle count (200000)")
    String decimate;

    @Option(names = "--max-error", description = "the decimation's error bound in mm (overrides the preset's)")
    String maxError;

    @Option(names = "--keep-largest", arity = "0..1", fallbackValue = "true", description = "keep only the largest component (true/false)")
    String keepLargest;

    @Option(names = "--fill-cavities", arity = "0..1", fallbackValue = "true", description = "remove internal cavities (true/false)")
    String fillCavities;

    @Option(names = "--min-component-volume", description = "drop components enclosing less than this many mm^3")
    String minComponentVolume;

    /** {@code params} with these options over them (not yet validated: call validated()). */
    JobParams applyTo(JobParams params) {
        return params.withFinishing(preset, smoothing, decimate, JobParams.parseNumber("maxError", maxError),
                JobParams.parseFlag("keepLargest", keepLargest), JobParams.parseFlag("fillCavities", fillCavities),
                JobParams.parseNumber("minComponentVolume", minComponentVolume));
    }

    /** The options by their query-parameter names; unset ones are left out by the caller's put. */
    void putQuery(BiConsumer<String, String> into) {
        into.accept("preset", preset);
        into.accept("smoothing", smoothing);
        into.accept("decimate", decimate);
        into.accept("maxError", maxError);
        into.accept("keepLargest", keepLargest);
        into.accept("fillCavities", fillCavities);
        into.accept("minComponentVolume", minComponentVolume);
    }
}
