package dev.meshpipe.common.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * What a job's mesh is like, as every stage reports it: in {@link JobMeshed}, {@link JobCompleted},
 * the ZIP's manifest and the job's events and status. Records embed it with {@code @JsonUnwrapped},
 * so its fields stay at the top level of each JSON, where they were before the summary was one record.
 * Fields are null while unknown: a job's progress events name its device long before its mesh exists.
 *
 * @param device     the device that meshed the job (or, before it has, the one it runs on)
 * @param timingsMs  milliseconds per step of the meshing
 * @param accuracy   the finishing's accuracy figures, once the mesh is made (null in events
 *                   recorded before they were carried)
 * @param mode       surface or labels: which mode ran (a job may leave it to the recognition rule)
 * @param modeReason why, in one sentence (as quality.json's modeReason)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MeshSummary(String device, Long vertices, Long triangles, Boolean watertight, Map<String, Long> timingsMs,
                          MeshAccuracy accuracy, String mode, String modeReason) {

    /** A summary of a job from before label maps and accuracy figures. */
    public MeshSummary(String device, Long vertices, Long triangles, Boolean watertight, Map<String, Long> timingsMs) {
        this(device, vertices, triangles, watertight, timingsMs, null, null, null);
    }

    /** A summary of a job from before label maps, which had no mode. */
    public MeshSummary(String device, Long vertices, Long triangles, Boolean watertight, Map<String, Long> timingsMs,
                       MeshAccuracy accuracy) {
        this(device, vertices, triangles, watertight, timingsMs, accuracy, null, null);
    }

    /** This summary saying which mode ran and why. */
    public MeshSummary withMode(String mode, String modeReason) {
        return new MeshSummary(device, vertices, triangles, watertight, timingsMs, accuracy, mode, modeReason);
    }

    public static MeshSummary of(String device, long vertices, long triangles, boolean watertight, Map<String, Long> timingsMs) {
        return new MeshSummary(device, vertices, triangles, watertight, timingsMs, null);
    }

    /** This summary with the mesh's accuracy figures. */
    public MeshSummary withAccuracy(MeshAccuracy a) {
        return new MeshSummary(device, vertices, triangles, watertight, timingsMs, a, mode, modeReason);
    }

    /** A job whose mesh is not made yet, running on {@code device}. */
    public static MeshSummary runningOn(String device) {
        return new MeshSummary(device, null, null, null, null, null);
    }

    /** Nothing known; an unwrapped summary decodes as this when its JSON had none of the fields. */
    @JsonIgnore
    public boolean isEmpty() {
        return device == null && vertices == null && triangles == null && watertight == null && timingsMs == null
                && accuracy == null && mode == null && modeReason == null;
    }

    /** This summary's known fields, the {@code earlier} one's where this one does not know them. */
    public MeshSummary over(MeshSummary earlier) {
        if (earlier == null) {
            return this;
        }
        return new MeshSummary(device != null ? device : earlier.device, vertices != null ? vertices : earlier.vertices,
                triangles != null ? triangles : earlier.triangles, watertight != null ? watertight : earlier.watertight,
                timingsMs != null ? timingsMs : earlier.timingsMs, accuracy != null ? accuracy : earlier.accuracy,
                mode != null ? mode : earlier.mode, modeReason != null ? modeReason : earlier.modeReason);
    }

    /** Null for an empty summary, so a record without one equals itself after a JSON round trip. */
    static MeshSummary orNull(MeshSummary s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
