package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One closed surface per label of a label map, by unsmoothed Surface Nets (Frisken 1998; VTK 9.3's
 * vtkSurfaceNets3D): a vertex on each voxel corner where labels change, and a quad on each voxel face
 * between two different labels. A face belongs to both of its labels, wound oppositely, so
 * neighbouring structures share their boundary vertex for vertex and can neither gap nor overlap;
 * the volume of each surface is exactly its voxel count times the voxel volume. Samples outside the
 * volume count as background, which closes structures cut by the border. See docs/labels.md.
 *
 * <p>Where one label's voxels meet only along an edge or at a corner, a single corner vertex would
 * join two sheets of that label and make a non-manifold vertex; each corner therefore gets one
 * vertex per sheet of each label (voxels touching only diagonally are kept apart, as 6-connected
 * foreground). The copies of a split corner all lie on that corner, so the vertices a neighbouring
 * label sees are still the same points, except around a diagonal edge where a label connects
 * through the edge ({@link DiagonalEdges}): there the copies move apart by a thousandth of a voxel,
 * the same in every label's mesh, so no edge is in four triangles.
 */
public final class LabelSurfaces {
    /** Dense label indices are 16-bit so a 512^3 map costs 2 bytes a voxel. */
    static final int MAX_DISTINCT = 65535;

    private LabelSurfaces() {}

    /** One structure: its surface in world coordinates (CCW outward), voxel count and voxel volume (mm^3). */
    public record Structure(int label, Mesh mesh, long voxels, double voxelVolume) {}

    /** A label present in the map but left out for being under {@link LabelSelection#minVoxels()}. */
    public record Dropped(int label, long voxels) {}

    /**
     * @param structures      chosen structures, by ascending label
     * @param dropped         chosen labels under the size limit
     * @param missing         ids named explicitly in the selection but absent from the map
     * @param labelsPresent   distinct non-zero labels in the map
     */
    public record Result(List<Structure> structures, List<Dropped> dropped, List<Integer> missing, int labelsPresent) {
        public long triangles() {
            return structures.stream().mapToLong(s -> s.mesh().triangleCount()).sum();
        }
    }

    public static Result extract(Volume v, LabelSelection selection, int threads) {
        return extract(v, selection, null, threads);
    }

    /**
     * Every chosen structure at once; with {@code smoothing} (null: none) the whole map's surface
     * is smoothed first, keeping shared boundaries shared ({@link LabelSmoothing}).
     */
    public static Result extract(Volume v, LabelSelection selection, LabelSmoothing.Options smoothing, int threads) {
        Plan plan = plan(v, selection);
        if (smoothing != null) {
            plan.smooth(smoothing, threads);
        }
        Structure[] out = new Structure[plan.size()];
        // Largest first so one big structure does not finish last on its own.
        Integer[] order = new Integer[plan.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong(i -> -plan.g.boxVolume(plan.tasks.get(i).dense)));
        runAll(Math.max(1, threads), order.length, k -> out[order[k]] = plan.structure(order[k]));
        // Every structure is meshed and nothing else holds the plan.
        plan.release();
        return new Result(List.of(out), plan.dropped, plan.missing, plan.labelsPresent);
    }

    /** Chooses the structures of {@code v} and indexes its labels, without meshing any. */
    public static Plan plan(Volume v, LabelSelection selection) {
        Grid g = Grid.of(v);
        List<Task> tasks = new ArrayList<>();
        List<Dropped> dropped = new ArrayList<>();
        for (int d = 1; d < g.values.length; d++) {
            int label = g.values[d];
            if (!selection.includes(label)) {
                continue;
            }
            if (g.counts[d] < selection.minVoxels()) {
                dropped.add(new Dropped(label, g.counts[d]));
            } else {
                tasks.add(new Task(d, label));
            }
        }
        tasks.sort(Comparator.comparingInt(Task::label));
        if (tasks.size() > selection.maxLabels()) {
            throw new MeshException(MeshError.VOLUME_TOO_LARGE, "the label map has " + tasks.size()
                    + " structures to mesh, more than the limit of " + selection.maxLabels()
                    + "; choose some with labels=... or drop small ones");
        }
        dropped.sort(Comparator.comparingInt(Dropped::label));
        return new Plan(v, g, tasks, dropped, missing(selection, g));
    }

    /** Figures of one constrained smoothing run (see {@link LabelSmoothing}). */
    public record SmoothingReport(int corners, int lineCorners, int heldCorners, int correctionSteps,
                                  double worstVolumeError, int revertedStructures) {}

    /** One structure meshed twice: smoothed (or raw when no smoothing ran) and on the raw corners. */
    public record Meshed(Structure structure, Mesh raw) {}

    /**
     * A label map ready to be meshed one structure at a time, in any order and from several
     * threads, so a caller can write each structure before meshing the next and memory follows
     * one structure (plus the label indices and, when smoothed, the shared corner positions).
     */
    public static final class Plan {
        private final Volume v;
        final Grid g;
        private final List<Task> tasks;
        private final List<Dropped> dropped;
        private final List<Integer> missing;
        private final int labelsPresent;
        private final double voxelVolume;
        private LabelSmoothing.Field field;

        private Plan(Volume v, Grid g, List<Task> tasks, List<Dropped> dropped, List<Integer> missing) {
            this.v = v;
            this.g = g;
            this.tasks = tasks;
            this.dropped = dropped;
            this.missing = missing;
            this.labelsPresent = g.values.length - 1;
            this.voxelVolume = voxelVolume(v);
        }

        public int size() {
            return tasks.size();
        }

        /**
         * Hands the label indices back for the next map (see {@link Spares}) once nothing will be
         * meshed from this plan again; it must not be used afterwards. Optional: an unreleased
         * plan's indices are simply collected.
         */
        public void release() {
            g.release();
        }

        public int label(int k) {
            return tasks.get(k).label;
        }

        public long voxels(int k) {
            return g.counts[tasks.get(k).dense];
        }

        public List<Dropped> dropped() {
            return dropped;
        }

        public List<Integer> missing() {
            return missing;
        }

        public int labelsPresent() {
            return labelsPresent;
        }

        /** Smooths the whole map's surface once; structures meshed afterwards use those positions. */
        public SmoothingReport smooth(LabelSmoothing.Options options, int threads) {
            boolean[] structure = new boolean[g.values.length];
            for (Task t : tasks) {
                structure[t.dense] = true;
            }
            field = LabelSmoothing.smooth(g, structure, options, threads);
            return smoothingReport();
        }

        public SmoothingReport smoothingReport() {
            LabelSmoothing.Field f = field;
            return f == null ? null : new SmoothingReport(f.n, f.lineCorners, f.heldCorners, f.correctionSteps,
                    f.worstVolumeError, f.revertedStructures);
        }

        /**
         * The eight world corners of the box around every planned structure (padded by half a voxel,
         * where the surfaces lie), so a picture can be framed before any structure is meshed.
         */
        public float[] worldCorners() {
            int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
            int[] hi = {Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE};
            for (Task t : tasks) {
                for (int a = 0; a < 3; a++) {
                    lo[a] = Math.min(lo[a], g.box[6 * t.dense + a]);
                    hi[a] = Math.max(hi[a], g.box[6 * t.dense + 3 + a]);
                }
            }
            if (tasks.isEmpty()) {
                return new float[0];
            }
            float[] corners = new float[24];
            double[] m = v.gridToWorld();
            for (int c = 0; c < 8; c++) {
                double[] q = new double[3];
                for (int a = 0; a < 3; a++) {
                    // Padded index i is voxel i - 1, and grid space is index times spacing.
                    int i = (c >> a & 1) == 0 ? lo[a] : hi[a];
                    q[a] = (i - 1 + ((c >> a & 1) == 0 ? -0.5 : 0.5)) * v.spacing()[a];
                }
                for (int r = 0; r < 3; r++) {
                    corners[3 * c + r] = (float) (m[4 * r] * q[0] + m[4 * r + 1] * q[1] + m[4 * r + 2] * q[2] + m[4 * r + 3]);
                }
            }
            return corners;
        }

        public Structure structure(int k) {
            return meshed(k, false).structure();
        }

        /** Structure k, with its unsmoothed surface too when {@code withRaw} (the same mesh when not smoothed). */
        public Meshed meshed(int k, boolean withRaw) {
            Task t = tasks.get(k);
            SheetMesher mesher = new SheetMesher(g, t.dense, field);
            Mesh world = mesher.mesh(v.gridToWorld());
            Structure s = new Structure(t.label, world, g.counts[t.dense], g.counts[t.dense] * voxelVolume);
            Mesh raw = !withRaw ? null : field == null ? world : mesher.rawMesh(world, v.gridToWorld());
            return new Meshed(s, raw);
        }
    }

    /** mm^3 of one voxel: spacing times the scale of gridToWorld's linear part. */
    static double voxelVolume(Volume v) {
        double[] m = v.gridToWorld();
        double det = m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]);
        return v.spacing()[0] * v.spacing()[1] * v.spacing()[2] * Math.abs(det);
    }

    private record Task(int dense, int label) {}

    private static List<Integer> missing(LabelSelection sel, Grid g) {
        List<Integer> out = new ArrayList<>();
        if (sel.ranges().isEmpty()) {
            return out;
        }
        int[] sorted = g.values.clone();
        Arrays.sort(sorted);
        for (int[] r : sel.ranges()) {
            // Ranges name intervals, not promises that every id exists; single ids do.
            if (r[0] == r[1] && r[0] > 0 && Arrays.binarySearch(sorted, r[0]) < 0) {
                out.add(r[0]);
            }
        }
        return out;
    }

    interface IntTask {
        void run(int k);
    }

    interface RangeTask {
        void run(int from, int to);
    }

    /** [0, n) in one contiguous range per thread (the smoothing loop: equal work per corner). */
    static void runRanges(int threads, int n, RangeTask body) {
        int parts = Math.max(1, Math.min(threads, n / 8192));
        if (parts == 1) {
            body.run(0, n);
            return;
        }
        runAll(parts, parts, k -> body.run((int) ((long) n * k / parts), (int) ((long) n * (k + 1) / parts)));
    }

    static void runAll(int threads, int n, IntTask body) {
        if (threads == 1 || n <= 1) {
            for (int k = 0; k < n; k++) {
                body.run(k);
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, n), r -> {
            Thread t = new Thread(r, "label-surfaces");
            t.setDaemon(true);
            return t;
        });
        try {
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < Math.min(threads, n); w++) {
                fs.add(pool.submit(() -> {
                    for (int k; (k = next.getAndIncrement()) < n; ) {
                        body.run(k);
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException(MeshError.MESHING_FAILED, "interrupted while meshing labels", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new MeshException(MeshError.MESHING_FAILED, "label meshing failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The label map as dense 16-bit indices with a one-voxel background border (so every corner has
     * eight voxels to look at), with each label's voxel count and bounding box in padded coordinates.
     */
    static final class Grid {
        /** Label indices of earlier maps, for {@link #of} (see {@link Spares}). */
        private static final Spares<char[]> DENSE = new Spares<>(2, a -> a.length);
        final int px, py, pz;
        final char[] dense;
        final int[] values;
        final long[] counts;
        final int[] box;
        final double[] spacing;

        private Grid(int px, int py, int pz, char[] dense, int[] values, long[] counts, int[] box, double[] spacing) {
            this.px = px;
            this.py = py;
            this.pz = pz;
            this.dense = dense;
            this.values = values;
            this.counts = counts;
            this.box = box;
            this.spacing = spacing;
        }

        long boxVolume(int d) {
            return (long) (box[6 * d + 3] - box[6 * d] + 1) * (box[6 * d + 4] - box[6 * d + 1] + 1) * (box[6 * d + 5] - box[6 * d + 2] + 1);
        }

        static Grid of(Volume v) {
            int nx = v.nx(), ny = v.ny(), nz = v.nz();
            int px = nx + 2, py = ny + 2, pz = nz + 2;
            if ((long) px * py * pz > Integer.MAX_VALUE - 8) {
                throw new MeshException(MeshError.VOLUME_TOO_LARGE, "label map too large: " + nx + "x" + ny + "x" + nz);
            }
            char[] dense = indices(px, py, pz);
            IntIndex index = new IntIndex();
            index.indexOf(0);
            float[] data = v.data();
            int lastValue = 0;
            int lastIndex = 0;
            long[] counts = new long[64];
            int[] box = new int[64 * 6];
            int i = 0;
            for (int z = 1; z <= nz; z++) {
                for (int y = 1; y <= ny; y++) {
                    int row = px * (y + py * z);
                    // Labels come in runs along x: counts and boxes are updated once per run.
                    int runStart = 1;
                    for (int x = 1; x <= nx; x++, i++) {
                        float f = data[i];
                        int value = (int) f;
                        if (value != lastValue || x == 1) {
                            if (value != f || value < 0) {
                                throw notLabels(v, i, f);
                            }
                            if (x > 1) {
                                closeRun(counts, box, lastIndex, runStart, x - 1, y, z);
                            }
                            runStart = x;
                            if (value != lastValue) {
                                lastIndex = index.indexOf(value);
                                lastValue = value;
                            }
                            if (lastIndex > MAX_DISTINCT) {
                                throw new MeshException(MeshError.INVALID_VOLUME, "not a label map: more than "
                                        + MAX_DISTINCT + " distinct values");
                            }
                            if (lastIndex >= counts.length) {
                                counts = Arrays.copyOf(counts, counts.length * 2);
                                box = Arrays.copyOf(box, box.length * 2);
                            }
                        } else if (value != f) {
                            throw notLabels(v, i, f);
                        }
                        dense[row + x] = (char) lastIndex;
                    }
                    closeRun(counts, box, lastIndex, runStart, nx, y, z);
                }
            }
            int n = index.size();
            return new Grid(px, py, pz, dense, index.values(), Arrays.copyOf(counts, n), Arrays.copyOf(box, 6 * n), v.spacing());
        }

        /** Hands the label indices back for the next map; this grid must not be read afterwards. */
        void release() {
            // Once only: the same array in two slots would be handed to two maps.
            if (released.compareAndSet(false, true)) {
                DENSE.keep(dense);
            }
        }

        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

        /**
         * Room for px * py * pz indices with the border zero (background): kept from an earlier map,
         * whose interior {@link #of} overwrites, or new.
         */
        private static char[] indices(int px, int py, int pz) {
            int size = px * py * pz;
            char[] dense = DENSE.take(a -> a.length >= size);
            if (dense == null) {
                return new char[size];
            }
            int pxy = px * py;
            Arrays.fill(dense, 0, pxy, (char) 0);
            Arrays.fill(dense, (pz - 1) * pxy, size, (char) 0);
            for (int z = 1; z < pz - 1; z++) {
                Arrays.fill(dense, pxy * z, pxy * z + px, (char) 0);
                Arrays.fill(dense, pxy * z + pxy - px, pxy * (z + 1), (char) 0);
                for (int y = 1; y < py - 1; y++) {
                    dense[pxy * z + px * y] = 0;
                    dense[pxy * z + px * y + px - 1] = 0;
                }
            }
            return dense;
        }

        private static void closeRun(long[] counts, int[] box, int d, int x0, int x1, int y, int z) {
            int o = 6 * d;
            if (counts[d] == 0) {
                box[o] = x0;
                box[o + 1] = y;
                box[o + 2] = z;
                box[o + 3] = x1;
                box[o + 4] = y;
                box[o + 5] = z;
            } else {
                box[o] = Math.min(box[o], x0);
                box[o + 3] = Math.max(box[o + 3], x1);
                box[o + 1] = Math.min(box[o + 1], y);
                box[o + 4] = Math.max(box[o + 4], y);
                box[o + 2] = Math.min(box[o + 2], z);
                box[o + 5] = Math.max(box[o + 5], z);
            }
            counts[d] += x1 - x0 + 1;
        }

        private static MeshException notLabels(Volume v, int i, float f) {
            int x = i % v.nx();
            int y = (i / v.nx()) % v.ny();
            int z = i / v.nx() / v.ny();
            return new MeshException(MeshError.INVALID_VOLUME, "not a label map: voxel (" + x + "," + y + "," + z
                    + ") holds " + f + "; labels must be whole numbers from 0 (background) up");
        }
    }

    /** Insertion-ordered int to dense index map (open addressing); index 0 is the first value added. */
    static final class IntIndex {
        private int[] keys = new int[256];
        private int[] slots = new int[256];
        private int[] values = new int[64];
        private int size;

        IntIndex() {
            Arrays.fill(slots, -1);
        }

        int indexOf(int key) {
            int mask = keys.length - 1;
            int h = (key * 0x9E3779B9) >>> 7 & mask;
            while (slots[h] >= 0) {
                if (keys[h] == key) {
                    return slots[h];
                }
                h = (h + 1) & mask;
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size] = key;
            keys[h] = key;
            slots[h] = size;
            size++;
            if (size * 2 > keys.length) {
                grow();
            }
            return size - 1;
        }

        private void grow() {
            int[] oldKeys = keys;
            int[] oldSlots = slots;
            keys = new int[oldKeys.length * 2];
            slots = new int[oldKeys.length * 2];
            Arrays.fill(slots, -1);
            int mask = keys.length - 1;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldSlots[i] >= 0) {
                    int h = (oldKeys[i] * 0x9E3779B9) >>> 7 & mask;
                    while (slots[h] >= 0) {
                        h = (h + 1) & mask;
                    }
                    keys[h] = oldKeys[i];
                    slots[h] = oldSlots[i];
                }
            }
        }

        int size() {
            return size;
        }

        int[] values() {
            return Arrays.copyOf(values, size);
        }
    }
}
