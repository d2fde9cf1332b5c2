package dev.meshpipe.standalone;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobParams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import picocli.CommandLine.Option;

/**
 * The label-map options, shared by {@code mesh} and {@code submit} like {@link FinishingOptions}:
 * kept as text and checked by JobParams, so both refuse a bad value with the gateway's message. The
 * colour table is a file here and travels inline, as the job's {@code colors} text.
 */
final class LabelMapOptions {
    @Option(names = "--mode", description = "surface (one isosurface), labels (one surface per label of a label map) "
            + "or auto (default: label maps are recognised, and quality.json says which mode ran and why)")
    String mode;

    @Option(names = "--labels", description = "label mode: the labels to mesh, e.g. 1,3,5-9 (default: all but 0)")
    String labels;

    @Option(names = "--min-voxels", description = "label mode: drop structures of fewer voxels")
    String minVoxels;

    @Option(names = "--colors", paramLabel = "FILE", description = "label mode: a colour table (ITK-SNAP, FreeSurfer or 3D Slicer .txt/.ctbl, "
            + "mricron atlas .txt, or JSON) naming and colouring the labels")
    Path colors;

    /** {@code params} with these options over them (not yet validated: call validated()). */
    JobParams applyTo(JobParams params) {
        return params.withLabels(mode, labels, JobParams.parseCount("minVoxels", minVoxels), colorsText());
    }

    /** The options by their query-parameter names; unset ones are left out by the caller's put. */
    void putQuery(BiConsumer<String, String> into) {
        into.accept("mode", mode);
        into.accept("labels", labels);
        into.accept("minVoxels", minVoxels);
        into.accept("colors", colorsText());
    }

    private String colorsText() {
        if (colors == null) {
            return null;
        }
        try {
            return new String(Files.readAllBytes(colors), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "--colors: cannot read " + colors + ": " + e.getMessage());
        }
    }
}
