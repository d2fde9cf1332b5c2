package dev.meshpipe.mesh;

import dev.meshpipe.mesh.labels.LabelJob;
import java.util.List;
import java.util.Map;

/**
 * What one {@link MeshJob} run made: the figures quality.json holds and the files written.
 *
 * @param quality the content of quality.json of an isosurface job; null in label mode
 * @param files   the names of the files written, in order (mesh files, preview.png, quality.json)
 * @param labels  the content of quality.json of a label-map job; null in surface mode
 */
public record MeshResult(MeshJob.Quality quality, List<String> files, LabelJob.Quality labels) {
    public MeshResult {
        files = List.copyOf(files);
        if ((quality == null) == (labels == null)) {
            throw new IllegalArgumentException("a result is either a surface's or a label map's");
        }
    }

    public MeshResult(MeshJob.Quality quality, List<String> files) {
        this(quality, files, null);
    }

    /** "surface" or "labels". */
    public String mode() {
        return labels == null ? MeshOptions.Mode.SURFACE.json() : labels.mode();
    }

    /** Why this mode ran: asked for, or what the label-map rule found. */
    public String modeReason() {
        return labels == null ? quality.modeReason() : labels.modeReason();
    }

    /** Summed over every structure in label mode. */
    public long vertices() {
        return labels == null ? quality.vertices()
                : labels.structures().stream().mapToLong(LabelJob.StructureQuality::vertices).sum();
    }

    public long triangles() {
        return labels == null ? quality.triangles() : labels.totals().triangles();
    }

    /** In label mode, true when every structure is. */
    public boolean watertight() {
        return labels == null ? quality.watertight() : labels.totals().allWatertight();
    }

    /** The device that extracted the surface, e.g. "cpu" or "gpu (NVIDIA H200)"; label maps are meshed on the CPU. */
    public String device() {
        return labels == null ? quality.device() : "cpu";
    }

    /** Milliseconds per stage (isovalueMs, extractMs, finishMs, ..., totalMs). */
    public Map<String, Long> timingsMs() {
        return labels == null ? quality.timingsMs() : labels.timingsMs();
    }
}
