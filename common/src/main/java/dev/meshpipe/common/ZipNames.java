package dev.meshpipe.common;

/** The file name a job's ZIP is saved under: {@code {name}-{id}.zip}, or {@code {id}.zip} for an unnamed job. */
public final class ZipNames {
    private static final int MAX_NAME_CHARS = 64;

    private ZipNames() {}

    /**
     * The job's name made safe for any file system and a Content-Disposition header (ASCII letters,
     * digits, '.', '_' and '-'; anything else becomes '-'), then the id, which keeps names unique.
     */
    public static String fileName(String name, String id) {
        String safe = name == null ? "" : name.replaceAll("[^A-Za-z0-9._-]+", "-")
                .replaceAll("^[.-]+|[.-]+$", "");
        if (safe.length() > MAX_NAME_CHARS) {
            safe = safe.substring(0, MAX_NAME_CHARS).replaceAll("[.-]+$", "");
        }
        return safe.isEmpty() ? id + ".zip" : safe + "-" + id + ".zip";
    }
}
