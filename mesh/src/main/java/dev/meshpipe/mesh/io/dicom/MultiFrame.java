package dev.meshpipe.mesh.io.dicom;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-frame (enhanced CT/MR) image as the slices of a series: each frame takes its position,
 * orientation, pixel spacing and rescale from its per-frame functional groups, then from the
 * shared ones, then from the top-level data set, so {@link SeriesGeometry} applies the same rules
 * (and the same refusals) as to a series of single-frame files.
 */
final class MultiFrame {
    private MultiFrame() {}

    static List<DicomFile> split(DicomFile f) {
        int n = DicomPixels.frames(f);
        DicomPixels.checkImage(f);
        // Without per-frame groups every frame would share one position; and the groups' count
        // (bounded by the file's size) bounds the work here, whatever NumberOfFrames claims.
        if (f.perFrame == null) {
            throw unsupported(f, n, "it has no functional groups that place each frame (PerFrameFunctionalGroupsSequence)");
        }
        if (f.perFrame.size() != n) {
            throw new MeshException(MeshError.INVALID_VOLUME, "invalid DICOM file " + f.name + ": NumberOfFrames is " + n
                    + " but PerFrameFunctionalGroupsSequence holds " + f.perFrame.size() + " items");
        }
        DicomFile.FrameGroups none = new DicomFile.FrameGroups();
        DicomFile.FrameGroups shared = f.shared == null ? none : f.shared;
        List<DicomFile> frames = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            DicomFile.FrameGroups own = f.perFrame.get(i);
            DicomFile v = f.frameView(i, f.name + " frame " + (i + 1));
            v.position = first(own.position, shared.position, f.position);
            v.orientation = first(own.orientation, shared.orientation, f.orientation);
            v.pixelSpacing = first(own.pixelSpacing, shared.pixelSpacing, f.pixelSpacing);
            v.slope = first(own.slope, shared.slope, new double[] {f.slope})[0];
            v.intercept = first(own.intercept, shared.intercept, new double[] {f.intercept})[0];
            if (v.position == null || v.orientation == null) {
                throw unsupported(f, n, "frame " + (i + 1) + " has no plane position or orientation");
            }
            frames.add(v);
        }
        return frames;
    }

    private static double[] first(double[] a, double[] b, double[] c) {
        return a != null ? a : b != null ? b : c;
    }

    private static MeshException unsupported(DicomFile f, int n, String why) {
        return new MeshException(MeshError.UNSUPPORTED_MULTIFRAME, f.name + " is a multi-frame image (" + n
                + " frames) that cannot be placed as a volume: " + why);
    }
}
