package dev.meshpipe.common.store;

import dev.meshpipe.common.JobId;

/** The only place object keys are made; every key starts from a validated job id. */
public final class ObjectKeys {
    private ObjectKeys() {}

    public static String input(String jobId) {
        return "inputs/" + JobId.require(jobId) + "/volume";
    }

    public static String workPrefix(String jobId) {
        return "work/" + JobId.require(jobId) + "/";
    }

    /**
     * An output's key; the name is one plain file name, or one under a folder of outputs
     * (label mode's {@code labels/1-liver.stl}), so a name can never climb out of the job's prefix.
     */
    public static String work(String jobId, String fileName) {
        if (!fileName.matches("([A-Za-z0-9][A-Za-z0-9._-]{0,99}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,99}") || fileName.contains("..")) {
            throw new IllegalArgumentException("bad output file name: " + fileName);
        }
        return workPrefix(jobId) + fileName;
    }

    public static String result(String jobId) {
        return "results/" + JobId.require(jobId) + ".zip";
    }

    /** A copy of the job's preview beside its ZIP, so the gateway can serve it alone. */
    public static String preview(String jobId) {
        return "results/" + JobId.require(jobId) + ".preview.png";
    }

    /** A copy of the job's quality.json beside its ZIP, for the web page. */
    public static String quality(String jobId) {
        return "results/" + JobId.require(jobId) + ".quality.json";
    }

    /** A copy of the job's GLB mesh beside its ZIP, for the web page's 3D view. */
    public static String viewerGlb(String jobId) {
        return "results/" + JobId.require(jobId) + ".mesh.glb";
    }

    /** Present when the job was cancelled; the processor and packager look for it before working. */
    public static String cancelled(String jobId) {
        return "cancelled/" + JobId.require(jobId);
    }

    /**
     * Present once the packager has decided to complete the job (see {@link Cancellation}): a
     * cancel that finds it leaves the decision to the packager.
     */
    public static String completing(String jobId) {
        return "completing/" + JobId.require(jobId);
    }
}
