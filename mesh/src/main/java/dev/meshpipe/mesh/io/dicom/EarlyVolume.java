package dev.meshpipe.mesh.io.dicom;

import dev.meshpipe.mesh.VolumeLimits;

/**
 * The float volume of a series, allocated on a thread of its own while the other files' headers
 * are read. Allocating some hundred MB (the JVM zeroes them and the kernel maps every page) costs
 * about as much as parsing the headers, and neither needs the other; the size is foretold from the
 * first file (one frame of its rows and columns per file), and used only if the series turns out so.
 */
final class EarlyVolume extends Thread {
    private final int voxels;
    /** Set by the allocating thread before it ends; null if allocating failed. */
    private float[] floats;
    private boolean taken;

    private EarlyVolume(int voxels) {
        super("meshpipe-dicom-volume");
        setDaemon(true);
        this.voxels = voxels;
    }

    @Override
    public void run() {
        try {
            floats = new float[voxels];
        } catch (OutOfMemoryError e) {
            floats = null; // the caller allocates, and fails, as it would have
        }
    }

    /**
     * Starts allocating when the first and last files (in name order) are single-frame native
     * images of one series and one size, and the foretold volume is within the limits (a larger
     * one is refused later with its own message) and fits twice in the free heap, so that a wrong
     * guess (several series in one folder) never takes memory another job needs; else null.
     */
    static EarlyVolume foretold(DicomFile first, DicomFile last, int files, VolumeLimits limits) {
        if (!singleFrame(first) || !singleFrame(last) || files < 2 || first.rows != last.rows || first.columns != last.columns
                || !java.util.Objects.equals(first.seriesUid, last.seriesUid)) {
            return null;
        }
        long voxels = (long) first.rows * first.columns * files;
        if (voxels > Math.min(limits.maxVoxels(), Integer.MAX_VALUE - 8)) {
            return null;
        }
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (voxels * Float.BYTES * 2 > free) {
            return null;
        }
        EarlyVolume v = new EarlyVolume((int) voxels);
        v.start();
        return v;
    }

    private static boolean singleFrame(DicomFile f) {
        return f != null && f.rows > 0 && f.columns > 0 && f.pixelFilePos >= 0 && DicomPixels.frames(f) == 1 && f.perFrame == null;
    }

    /**
     * The allocated floats if they are {@code wanted} long; null otherwise, or if allocating failed.
     * Waits for the allocation either way, so that two volumes are never being allocated at once.
     */
    float[] take(long wanted) {
        if (taken) {
            return null;
        }
        taken = true;
        boolean interrupted = false;
        while (isAlive()) {
            try {
                join(); // also makes the thread's write of floats visible here
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            return null;
        }
        float[] f = floats;
        floats = null; // a volume of the wrong size is garbage before the right one is allocated
        return f != null && f.length == wanted ? f : null;
    }
}
