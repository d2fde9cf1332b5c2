package dev.meshpipe.mesh;

import java.util.List;
import java.util.Map;

/**
 * What one {@link MeshJob} run made: the figures quality.json holds and the files written.
 *
 * @param quality the content of quality.json
 * @param files   the names of the files written, in order (mesh files, preview.png, quality.json)
 */
public record MeshResult(MeshJob.Quality quality, List<String> files) {
    public MeshResult {
        files = List.copyOf(files);
    }

    public long vertices() {
        return quality.vertices();
    }

    public long triangles() {
        return quality.triangles();
    }

    public boolean watertight() {
        return quality.watertight();
    }

    /** The device that extracted the surface, e.g. "cpu" or "gpu (NVIDIA H200)". */
    public String device() {
        return quality.device();
    }

    /** Milliseconds per stage (isovalueMs, extractMs, finishMs, ..., totalMs). */
    public Map<String, Long> timingsMs() {
        return quality.timingsMs();
    }
}
