package dev.meshpipe.mesh.io.dicom;

import dev.meshpipe.mesh.VolumeLimits;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The float volume of a series, allocated on a thread of its own while the other files' headers
 * are read. Allocating some hundred MB (the JVM zeroes them and the kernel maps every page) costs
 * about as much as parsing the headers, and neither needs the other; the size is foretold from the
 * first file (one frame of its rows and columns per file), and used only if the series turns out so.
 */
final class EarlyVolume {
    private final FutureTask<float[]> task;
    private final long voxels;

    private EarlyVolume(long voxels) {
        this.voxels = voxels;
        this.task = new FutureTask<>(() -> new float[(int) voxels]);
        Thread t = new Thread(task, "meshpipe-dicom-volume");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Starts allocating when {@code first} is a single-frame native image and the foretold volume
     * is within the limits (a larger one is refused later with its own message); else null.
     */
    static EarlyVolume foretold(DicomFile first, int files, VolumeLimits limits) {
        if (first == null || files < 2 || first.rows <= 0 || first.columns <= 0 || first.pixelFilePos < 0
                || DicomPixels.frames(first) != 1 || first.perFrame != null) {
            return null;
        }
        long voxels = (long) first.rows * first.columns * files;
        if (voxels > Math.min(limits.maxVoxels(), Integer.MAX_VALUE - 8)) {
            return null;
        }
        return new EarlyVolume(voxels);
    }

    /** The allocated floats if they are {@code wanted} long; null otherwise, or if allocating failed. */
    float[] take(long wanted) {
        if (wanted != voxels) {
            return null;
        }
        try {
            return task.get();
        } catch (ExecutionException e) {
            return null; // out of memory on that thread: the caller allocates, and fails, as it would have
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
