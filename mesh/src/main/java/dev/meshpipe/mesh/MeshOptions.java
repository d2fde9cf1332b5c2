package dev.meshpipe.mesh;

import dev.meshpipe.mesh.finish.Finishing;
import dev.meshpipe.mesh.labels.ColorTable;
import dev.meshpipe.mesh.labels.LabelSelection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What {@link MeshJob} makes of a volume, every value typed and checked once. Start from
 * {@link #defaults()} and change what differs.
 *
 * @param iso       where the surface is cut
 * @param borders   closed (watertight) or open at the volume's edge
 * @param formats   the mesh files to write, in this order; never empty
 * @param space     the frame of the STL, PLY, OBJ and 3MF files; GLB and the preview stay in RAS,
 *                  which their own transforms expect
 * @param name      the 3MF object's name
 * @param finishing smoothing, cleanup and decimation after marching cubes
 * @param threads   CPU threads; 0 means all cores
 * @param labels    whether to mesh one surface per label, which labels, and their names and colours
 */
public record MeshOptions(Iso iso, Borders borders, List<MeshFormat> formats, CoordinateSpace space, String name,
                          Finishing.Options finishing, int threads, Labels labels) {
    public static final String DEFAULT_NAME = "surface";

    /** Isosurface or one surface per label; AUTO lets {@code LabelMaps.looksLikeLabelMap} decide. */
    public enum Mode {
        AUTO, SURFACE, LABELS;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * How a label map is meshed.
     *
     * @param mode      auto (the recognition rule decides), surface or labels
     * @param selection the labels to mesh and the size limit
     * @param colours   names and colours; labels it lacks get the default palette
     * @param formats   the files to write in label mode; null means STL, GLB and 3MF (a file per
     *                  structure in each format would be many files, and the two scenes hold all)
     */
    public record Labels(Mode mode, LabelSelection selection, ColorTable colours, List<MeshFormat> formats) {
        public static final List<MeshFormat> DEFAULT_FORMATS = List.of(MeshFormat.STL, MeshFormat.GLB, MeshFormat.THREE_MF);

        public Labels {
            mode = mode == null ? Mode.AUTO : mode;
            selection = selection == null ? LabelSelection.all() : selection;
            colours = colours == null ? ColorTable.empty() : colours;
            formats = formats == null || formats.isEmpty() ? DEFAULT_FORMATS : List.copyOf(new LinkedHashSet<>(formats));
        }

        public static Labels auto() {
            return new Labels(Mode.AUTO, null, null, null);
        }
    }

    /** The options before label maps: the mode is auto. */
    public MeshOptions(Iso iso, Borders borders, List<MeshFormat> formats, CoordinateSpace space, String name,
                       Finishing.Options finishing, int threads) {
        this(iso, borders, formats, space, name, finishing, threads, null);
    }

    public MeshOptions {
        labels = labels == null ? Labels.auto() : labels;
        iso = iso == null ? Iso.DEFAULT : iso;
        borders = borders == null ? Borders.CLOSED : borders;
        formats = formats == null || formats.isEmpty() ? MeshFormat.DEFAULTS : List.copyOf(new LinkedHashSet<>(formats));
        space = space == null ? CoordinateSpace.RAS : space;
        name = name == null ? DEFAULT_NAME : name;
        finishing = finishing == null ? Finishing.Options.raw() : finishing;
        if (threads < 0) {
            throw new MeshException(MeshError.INVALID_PARAMETER, "threads must be 0 (all cores) or more, got " + threads);
        }
    }

    /** The volume's default isovalue, closed borders, STL, PLY, OBJ and GLB in RAS, no finishing, all cores. */
    public static MeshOptions defaults() {
        return new MeshOptions(null, null, null, null, null, null, 0);
    }

    public MeshOptions withIso(Iso value) {
        return new MeshOptions(value, borders, formats, space, name, finishing, threads, labels);
    }

    public MeshOptions withBorders(Borders value) {
        return new MeshOptions(iso, value, formats, space, name, finishing, threads, labels);
    }

    public MeshOptions withFormats(MeshFormat... value) {
        return withFormats(List.of(value));
    }

    public MeshOptions withFormats(List<MeshFormat> value) {
        return new MeshOptions(iso, borders, value, space, name, finishing, threads, labels);
    }

    public MeshOptions withSpace(CoordinateSpace value) {
        return new MeshOptions(iso, borders, formats, value, name, finishing, threads, labels);
    }

    public MeshOptions withName(String value) {
        return new MeshOptions(iso, borders, formats, space, value, finishing, threads, labels);
    }

    public MeshOptions withFinishing(Finishing.Options value) {
        return new MeshOptions(iso, borders, formats, space, name, value, threads, labels);
    }

    public MeshOptions withThreads(int value) {
        return new MeshOptions(iso, borders, formats, space, name, finishing, value, labels);
    }

    public MeshOptions withLabels(Labels value) {
        return new MeshOptions(iso, borders, formats, space, name, finishing, threads, value);
    }

    public boolean closedBorders() {
        return borders == Borders.CLOSED;
    }

    /** {@link #threads}, with 0 resolved to this machine's cores. */
    public int threadCount() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
