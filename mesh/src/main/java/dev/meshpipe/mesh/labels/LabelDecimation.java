package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.MeshQuality;
import dev.meshpipe.mesh.finish.Components;
import dev.meshpipe.mesh.finish.Finishing;
import dev.meshpipe.mesh.finish.Parallel;
import dev.meshpipe.mesh.finish.QuadricDecimator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The finishing stages after meshing (and smoothing) a label map, per structure: keep the largest
 * component, drop small components, decimate; neighbouring structures keep sharing their boundary
 * triangle for triangle, and every structure stays closed.
 *
 * <p>How sharing survives decimation: all structures' vertices are welded by exact position into one
 * numbering (a boundary two structures share already uses identical positions); each triangle is
 * labelled by the unordered pair of its structure and the structure holding the same triangle
 * reversed (or "outside": background, an unchosen label, a dropped island). The triangles of one
 * pair form a patch, decimated once by {@link QuadricDecimator} and used by both structures, reversed
 * for one. A vertex used by two or more patches (the junction curves where three or more structures
 * meet, and the rims where a structure's faces change neighbour) is pinned: the decimator never moves
 * or removes a vertex on a patch's open border, and a pinned vertex that is not on one (its patch's
 * triangles close around it although another patch also uses it) gets a triangle repeating it three
 * times, which makes the decimator freeze it (a triangle that repeats a vertex), and is dropped
 * afterwards. So patches still meet exactly, each structure is closed, and a shared patch is the same
 * triangles in both. Where a structure touches itself only at a point or along an edge, the mesher
 * gives the corner one copy per sheet (docs/labels.md); welding joins the copies, so those
 * vertices and every vertex of a triangle around them are pinned too, those triangles come out
 * unchanged, and each structure is rebuilt from its patches with its own copies there: as manifold
 * as before.
 *
 * <p>Then each structure gets back the volume it enclosed before the decimation ({@link
 * VolumeCorrection}): only unpinned vertices move, by one distance per patch, so shared patches
 * stay the same vertices in both structures and junctions stay put.
 *
 * <p>Cleanup runs first, on each structure alone (Components): a dropped island's triangles are
 * gone before the patches are found, so its neighbours' faces against it become faces to the
 * outside and those neighbours stay closed. Cavities are not filled: a cavity in a structure holds a
 * neighbour or background, and filling it would overlap the neighbour.
 *
 * <p>This needs every structure at once (the streaming path holds a few), so it runs only when a
 * cleanup or decimation is asked for.
 */
public final class LabelDecimation {
    private LabelDecimation() {}

    /**
     * @param decimateFraction  in (0, 1) per patch, 0 when unused
     * @param decimateTriangles the budget over all structures together (a shared patch counts for
     *                          both), split among patches by size; 0 when unused
     * @param maxErrorMm        the decimator's error bound, +Inf when unbounded
     */
    public record Options(boolean keepLargest, double minComponentVolumeMm3, double decimateFraction,
                          long decimateTriangles, double maxErrorMm) {
        public boolean decimation() {
            return decimateFraction > 0 || decimateTriangles > 0 || Double.isFinite(maxErrorMm);
        }

        public boolean cleanup() {
            return keepLargest || minComponentVolumeMm3 > 0;
        }

        /** What a finishing preset (with its overrides) asks of label mode; null when it asks for nothing here. */
        public static Options of(Finishing.Options f) {
            Options o = new Options(f.keepLargest(), f.minComponentVolumeMm3(), f.decimateFraction(), f.decimateTriangles(),
                    f.maxErrorMm());
            return o.decimation() || o.cleanup() ? o : null;
        }
    }

    /**
     * One structure's figures for quality.json.
     *
     * @param trianglesBefore   as meshed (and smoothed)
     * @param trianglesAfter    after the cleanup and the decimation
     * @param componentsRemoved by keep-largest and the minimum component volume
     * @param volumeRemoved     mm^3 those components enclosed
     */
    public record Figures(long trianglesBefore, long trianglesAfter, int componentsRemoved, double volumeRemoved) {}

    /**
     * @param patches          surface patches, one per pair of neighbours (or structure and outside)
     * @param sharedPatches    of those, shared by two structures
     * @param pinnedVertices   vertices used by two or more patches, never moved
     * @param retried          patches decimated again with more vertices frozen, because they made an
     *                         edge across them that another patch of the same structure had made
     * @param undecimated      patches left as they were because the decimator's result still could not
     *                         be matched to its neighbours: expected 0
     * @param skipped          why nothing was decimated (the surfaces could not be split into patches), or null
     * @param maxErrorMm       the largest error of any collapse taken (see {@link QuadricDecimator.Result})
     * @param volumeCorrection what restoring the volumes took ({@link VolumeCorrection#NONE} without decimation)
     */
    public record Report(int patches, int sharedPatches, long pinnedVertices, int retried, int undecimated, String skipped,
                         long trianglesBefore, long trianglesAfter, double maxErrorMm, VolumeCorrection volumeCorrection,
                         long cleanupMs, long decimateMs) {}

    public record Result(List<Mesh> meshes, List<Figures> figures, Report report) {}

    /** Every structure of the plan meshed (and smoothed), finished, kept for {@link #meshed}. */
    public static final class Finished {
        private final LabelSurfaces.Plan plan;
        private final List<LabelSurfaces.Structure> structures;
        private final Result result;

        private Finished(LabelSurfaces.Plan plan, List<LabelSurfaces.Structure> structures, Result result) {
            this.plan = plan;
            this.structures = structures;
            this.result = result;
        }

        /** Structure k finished, with its raw surface (meshed again) when {@code withRaw}. */
        public LabelSurfaces.Meshed meshed(int k, boolean withRaw) {
            LabelSurfaces.Structure s = structures.get(k);
            LabelSurfaces.Structure done = new LabelSurfaces.Structure(s.label(), result.meshes().get(k), s.voxels(), s.voxelVolume());
            return new LabelSurfaces.Meshed(done, withRaw ? plan.meshed(k, true).raw() : null);
        }

        /** The figures of the structure with this label, null when it is not one. */
        public Figures figuresOf(int label) {
            for (int k = 0; k < structures.size(); k++) {
                if (structures.get(k).label() == label) {
                    return result.figures().get(k);
                }
            }
            return null;
        }

        public Report report() {
            return result.report();
        }
    }

    /** Meshes every structure of the plan (after its smoothing, if any) and finishes them together. */
    public static Finished finish(LabelSurfaces.Plan plan, Options options, int threads) {
        LabelSurfaces.Structure[] meshed = new LabelSurfaces.Structure[plan.size()];
        Parallel.forEachTask(meshed.length, threads, k -> meshed[k] = plan.structure(k));
        List<LabelSurfaces.Structure> structures = List.of(meshed);
        Result r = run(structures.stream().map(LabelSurfaces.Structure::mesh).toList(), options, threads);
        return new Finished(plan, structures, r);
    }

    /**
     * Finishes closed structures that share their boundaries by exact positions (as the label
     * mesher gives them), one mesh per structure in, the same order out.
     */
    public static Result run(List<Mesh> input, Options options, int threads) {
        return run(input, options, threads, true);
    }

    /** As {@link #run(List, Options, int)}; {@code correctVolumes} false leaves the decimator's volumes (to measure the difference). */
    static Result run(List<Mesh> input, Options options, int threads, boolean correctVolumes) {
        long t0 = System.nanoTime();
        int n = input.size();
        List<Mesh> meshes = new ArrayList<>(n);
        int[] removedComponents = new int[n];
        double[] removedVolume = new double[n];
        for (int k = 0; k < n; k++) {
            meshes.add(cleanUp(input.get(k), options, k, removedComponents, removedVolume));
        }
        long t1 = System.nanoTime();
        Patches patches = options.decimation() ? Patches.of(meshes) : null;
        List<Mesh> out = meshes;
        int undecimated = 0;
        int retried = 0;
        double maxError = 0;
        String skipped = null;
        VolumeCorrection correction = VolumeCorrection.NONE;
        if (patches != null && patches.conflict != null) {
            skipped = patches.conflict;
        } else if (patches != null) {
            Decimated d = decimate(patches, options, threads);
            if (correctVolumes) {
                correction = VolumeCorrection.restore(patches, d, signedVolumes(meshes));
            }
            out = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                out.add(patches.rebuild(k, d));
            }
            undecimated = d.undecimated;
            retried = d.retried;
            maxError = d.maxError;
        }
        long t2 = System.nanoTime();
        List<Figures> figures = new ArrayList<>(n);
        long before = 0;
        long after = 0;
        for (int k = 0; k < n; k++) {
            figures.add(new Figures(input.get(k).triangleCount(), out.get(k).triangleCount(), removedComponents[k], removedVolume[k]));
            before += input.get(k).triangleCount();
            after += out.get(k).triangleCount();
        }
        Report report = new Report(patches == null ? 0 : patches.count, patches == null ? 0 : patches.shared(),
                patches == null ? 0 : patches.pinnedCount(), retried, undecimated, skipped, before, after, maxError,
                correction,
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        return new Result(out, figures, report);
    }

    // ---- cleanup -------------------------------------------------------------------------------

    /**
     * Keep-largest and the minimum volume, on outward components only (positive signed volume): a
     * cavity wall (negative) is where a neighbour or background sits inside the structure, and
     * dropping it would make the structure overlap that neighbour. A cavity wall goes only with the
     * island it lies in (its box inside a dropped component's box and inside no kept one's).
     */
    static Mesh cleanUp(Mesh m, Options o, int k, int[] components, double[] volume) {
        if (!o.cleanup()) {
            return m;
        }
        Components.Labels labels = Components.label(m);
        double[] vol = Components.signedVolumes(m, labels);
        boolean[] keep = new boolean[labels.count()];
        int largest = -1;
        for (int c = 0; c < keep.length; c++) {
            if (vol[c] > 0 && (largest < 0 || vol[c] > vol[largest])) {
                largest = c;
            }
        }
        for (int c = 0; c < keep.length; c++) {
            keep[c] = vol[c] <= 0 || (!o.keepLargest() || c == largest) && vol[c] >= o.minComponentVolumeMm3();
        }
        float[][] box = boxes(m, labels);
        for (int c = 0; c < keep.length; c++) {
            if (vol[c] < 0 && insideAny(box, c, vol, keep, false) && !insideAny(box, c, vol, keep, true)) {
                keep[c] = false;
            }
        }
        int[] t = m.triangles();
        IntList kept = new IntList();
        double removed = 0;
        for (int i = 0; i < t.length; i += 3) {
            if (keep[labels.vertexLabel()[t[i]]]) {
                kept.add(t[i]);
                kept.add(t[i + 1]);
                kept.add(t[i + 2]);
            }
        }
        for (int c = 0; c < keep.length; c++) {
            if (!keep[c]) {
                components[k]++;
                removed += vol[c];
            }
        }
        volume[k] = removed;
        return components[k] == 0 ? m : compact(m.positions(), kept.toArray());
    }

    /** The triangles with only the vertices they use, in their order. */
    private static Mesh compact(float[] positions, int[] tri) {
        int[] local = new int[positions.length / 3];
        Arrays.fill(local, -1);
        FloatList pos = new FloatList();
        int n = 0;
        for (int i = 0; i < tri.length; i++) {
            int v = tri[i];
            if (local[v] < 0) {
                local[v] = n++;
                pos.add(positions, 3 * v);
            }
            tri[i] = local[v];
        }
        return new Mesh(pos.toArray(), tri);
    }

    /** Per component: min x, y, z, max x, y, z. */
    private static float[][] boxes(Mesh m, Components.Labels labels) {
        float[][] box = new float[labels.count()][];
        float[] p = m.positions();
        for (int v = 0; v < m.vertexCount(); v++) {
            int c = labels.vertexLabel()[v];
            if (c < 0) {
                continue;
            }
            if (box[c] == null) {
                box[c] = new float[] {p[3 * v], p[3 * v + 1], p[3 * v + 2], p[3 * v], p[3 * v + 1], p[3 * v + 2]};
            }
            for (int a = 0; a < 3; a++) {
                box[c][a] = Math.min(box[c][a], p[3 * v + a]);
                box[c][3 + a] = Math.max(box[c][3 + a], p[3 * v + a]);
            }
        }
        return box;
    }

    /** Whether component c's box lies inside the box of an outward component that is kept (or dropped). */
    private static boolean insideAny(float[][] box, int c, double[] vol, boolean[] keep, boolean kept) {
        for (int d = 0; d < box.length; d++) {
            if (vol[d] > 0 && keep[d] == kept && box[d] != null && box[c] != null) {
                boolean in = true;
                for (int a = 0; a < 3; a++) {
                    in &= box[d][a] <= box[c][a] && box[c][3 + a] <= box[d][3 + a];
                }
                if (in) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- patches -------------------------------------------------------------------------------

    /**
     * All structures' triangles in one welded numbering, each structure's triangles labelled by
     * patch, and each patch's triangles as its owner (the lower structure index of the pair) winds them.
     */
    static final class Patches {
        final List<Mesh> meshes;
        /** Welded vertex positions. */
        final float[] positions;
        /** Per structure, per triangle corner: the welded vertex. */
        final int[][] welded;
        /** Per structure, per triangle: its patch. */
        final int[][] patchOf;
        int count;
        /** Per patch: owner structure and the other one (-1: outside). */
        int[] owner;
        int[] other;
        /** Per patch: its triangles (welded vertices, the owner's winding) from start[p] to start[p + 1]. */
        int[] start;
        int[] tris;
        /**
         * Per welded vertex: never moved or removed. Used by two or more patches, or on a triangle
         * with a split vertex (so every triangle around a split vertex comes out as it went in).
         */
        boolean[] pinned;
        /** Per welded vertex: a structure has two or more vertices here (one per sheet). */
        boolean[] split;
        String conflict;

        private Patches(List<Mesh> meshes, float[] positions, int[][] welded) {
            this.meshes = meshes;
            this.positions = positions;
            this.welded = welded;
            this.patchOf = new int[meshes.size()][];
        }

        static Patches of(List<Mesh> meshes) {
            int n = meshes.size();
            long vertices = 0;
            long triangles = 0;
            for (Mesh m : meshes) {
                vertices += m.vertexCount();
                triangles += m.triangleCount();
            }
            if (triangles > Integer.MAX_VALUE / 4 || vertices > Integer.MAX_VALUE / 4) {
                throw new MeshException(MeshError.VOLUME_TOO_LARGE, "too many triangles to decimate the structures together: " + triangles);
            }
            // Weld: one vertex per distinct position.
            TupleIndex points = new TupleIndex((int) vertices / 2 + 16);
            int[][] welded = new int[n][];
            IntList seenIn = new IntList();
            IntList splitList = new IntList();
            for (int k = 0; k < n; k++) {
                Mesh m = meshes.get(k);
                float[] p = m.positions();
                int[] local = new int[m.vertexCount()];
                for (int v = 0; v < local.length; v++) {
                    int g = points.add(Float.floatToIntBits(p[3 * v] + 0f), Float.floatToIntBits(p[3 * v + 1] + 0f),
                            Float.floatToIntBits(p[3 * v + 2] + 0f));
                    if (g == seenIn.size()) {
                        seenIn.add(k);
                    } else if (seenIn.get(g) == k) {
                        splitList.add(g); // the mesher's copies of a corner, one per sheet of this structure
                    } else {
                        seenIn.set(g, k);
                    }
                    local[v] = g;
                }
                int[] t = m.triangles();
                int[] w = new int[t.length];
                for (int i = 0; i < t.length; i++) {
                    w[i] = local[t[i]];
                }
                welded[k] = w;
            }
            float[] positions = new float[3 * points.size()];
            for (int g = 0; g < points.size(); g++) {
                for (int a = 0; a < 3; a++) {
                    positions[3 * g + a] = Float.intBitsToFloat(points.key(g, a));
                }
            }
            Patches p = new Patches(meshes, positions, welded);
            p.split = new boolean[points.size()];
            for (int i = 0; i < splitList.size(); i++) {
                p.split[splitList.get(i)] = true;
            }
            p.pair((int) triangles);
            if (p.conflict == null) {
                p.gather();
            }
            return p;
        }

        /** Finds, for every triangle, the structure holding it reversed, and numbers the pairs as patches. */
        private void pair(int triangles) {
            TupleIndex faces = new TupleIndex(triangles);
            IntList first = new IntList();
            IntList second = new IntList();
            for (int k = 0; k < welded.length; k++) {
                int[] w = welded[k];
                for (int i = 0; i < w.length; i += 3) {
                    int e = faces.add(sortedKey(w, i, 0), sortedKey(w, i, 1), sortedKey(w, i, 2));
                    if (e == first.size()) {
                        first.add(k);
                        second.add(-1);
                    } else if (second.get(e) == -1 && first.get(e) != k) {
                        second.set(e, k);
                    } else {
                        conflict = "a triangle is used by " + (first.get(e) == k ? "one structure twice" : "three structures");
                        return;
                    }
                }
            }
            TupleIndex pairs = new TupleIndex(64);
            IntList owners = new IntList();
            IntList others = new IntList();
            for (int k = 0; k < welded.length; k++) {
                int[] w = welded[k];
                int[] patch = new int[w.length / 3];
                for (int i = 0; i < w.length; i += 3) {
                    int e = faces.add(sortedKey(w, i, 0), sortedKey(w, i, 1), sortedKey(w, i, 2));
                    int o = first.get(e) == k ? second.get(e) : first.get(e);
                    int lo = o < 0 ? k : Math.min(k, o);
                    int hi = o < 0 ? -1 : Math.max(k, o);
                    int p = pairs.add(lo, hi, 0);
                    if (p == owners.size()) {
                        owners.add(lo);
                        others.add(hi);
                    }
                    patch[i / 3] = p;
                }
                patchOf[k] = patch;
            }
            count = owners.size();
            owner = owners.toArray();
            other = others.toArray();
        }

        private static int sortedKey(int[] w, int i, int rank) {
            int a = w[i];
            int b = w[i + 1];
            int c = w[i + 2];
            int lo = Math.min(a, Math.min(b, c));
            int hi = Math.max(a, Math.max(b, c));
            return rank == 0 ? lo : rank == 2 ? hi : a + b + c - lo - hi;
        }

        /** Each patch's triangles from its owner, and the vertices two or more patches use. */
        private void gather() {
            start = new int[count + 1];
            for (int k = 0; k < welded.length; k++) {
                for (int p : patchOf[k]) {
                    if (owner[p] == k) {
                        start[p + 1]++;
                    }
                }
            }
            for (int p = 0; p < count; p++) {
                start[p + 1] += start[p];
            }
            tris = new int[3 * start[count]];
            int[] fill = Arrays.copyOf(start, count);
            int[] firstPatch = new int[positions.length / 3];
            Arrays.fill(firstPatch, -1);
            pinned = new boolean[firstPatch.length];
            for (int k = 0; k < welded.length; k++) {
                int[] w = welded[k];
                for (int t = 0; t < patchOf[k].length; t++) {
                    int p = patchOf[k][t];
                    if (owner[p] != k) {
                        continue;
                    }
                    int at = 3 * fill[p]++;
                    for (int c = 0; c < 3; c++) {
                        int g = w[3 * t + c];
                        tris[at + c] = g;
                        if (firstPatch[g] == -1) {
                            firstPatch[g] = p;
                        } else if (firstPatch[g] != p) {
                            pinned[g] = true;
                        }
                    }
                    if (split[w[3 * t]] || split[w[3 * t + 1]] || split[w[3 * t + 2]]) {
                        pinned[w[3 * t]] = pinned[w[3 * t + 1]] = pinned[w[3 * t + 2]] = true;
                    }
                }
            }
        }

        int triangles(int p) {
            return start[p + 1] - start[p];
        }

        int shared() {
            int s = 0;
            for (int o : other) {
                s += o >= 0 ? 1 : 0;
            }
            return s;
        }

        long pinnedCount() {
            long c = 0;
            for (boolean b : pinned) {
                c += b ? 1 : 0;
            }
            return c;
        }

        /** Structure k from its patches' decimated triangles (reversed where k is not the owner), welded numbering compacted. */
        Mesh rebuild(int k, Decimated d) {
            boolean[] uses = new boolean[count];
            for (int p : patchOf[k]) {
                uses[p] = true;
            }
            IntList t = new IntList();
            for (int p = 0; p < count; p++) {
                if (!uses[p]) {
                    continue;
                }
                int[] pt = d.tris[p];
                boolean reversed = owner[p] != k;
                for (int i = 0; i < pt.length; i += 3) {
                    t.add(pt[i]);
                    t.add(reversed ? pt[i + 2] : pt[i + 1]);
                    t.add(reversed ? pt[i + 1] : pt[i + 2]);
                }
            }
            int[] tri = t.toArray();
            restoreSheets(k, tri, d.vertexCount());
            int[] local = new int[d.vertexCount() + meshes.get(k).vertexCount()];
            Arrays.fill(local, -1);
            IntList order = new IntList();
            for (int i = 0; i < tri.length; i++) {
                int g = tri[i];
                if (local[g] < 0) {
                    local[g] = order.size();
                    order.add(g);
                }
                tri[i] = local[g];
            }
            float[] pos = new float[3 * order.size()];
            float[] own = meshes.get(k).positions();
            int base = d.vertexCount();
            for (int v = 0; v < order.size(); v++) {
                int g = order.get(v);
                if (g < base) {
                    d.position(g, pos, 3 * v);
                } else {
                    System.arraycopy(own, 3 * (g - base), pos, 3 * v, 3);
                }
            }
            return new Mesh(pos, tri);
        }

        /**
         * Gives the corners at split vertices back their own copy (numbered {@code base} plus the
         * structure's vertex): every triangle around a split vertex was pinned, so it is one of the
         * structure's own triangles, which says which copy each corner used.
         */
        private void restoreSheets(int k, int[] tri, int base) {
            int[] w = welded[k];
            int[] own = meshes.get(k).triangles();
            TupleIndex around = new TupleIndex(64);
            IntList which = new IntList();
            for (int i = 0; i < w.length; i += 3) {
                if (split[w[i]] || split[w[i + 1]] || split[w[i + 2]]) {
                    around.add(sortedKey(w, i, 0), sortedKey(w, i, 1), sortedKey(w, i, 2));
                    which.add(i);
                }
            }
            for (int i = 0; i < tri.length; i += 3) {
                if (tri[i] >= split.length || tri[i + 1] >= split.length || tri[i + 2] >= split.length
                        || !(split[tri[i]] || split[tri[i + 1]] || split[tri[i + 2]])) {
                    continue;
                }
                int id = around.find(sortedKey(tri, i, 0), sortedKey(tri, i, 1), sortedKey(tri, i, 2));
                if (id < 0) {
                    continue; // cannot happen: such triangles are pinned; the corner stays welded
                }
                int o = which.get(id);
                for (int c = 0; c < 3; c++) {
                    if (split[tri[i + c]]) {
                        for (int e = 0; e < 3; e++) {
                            if (w[o + e] == tri[i + c]) {
                                tri[i + c] = base + own[o + e];
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- decimation ----------------------------------------------------------------------------

    /** Every patch's triangles after decimation, in one numbering: welded vertices, then each patch's new inner ones. */
    static final class Decimated {
        final int[][] tris;
        final float[] welded;
        float[] added = new float[0];
        int undecimated;
        int retried;
        double maxError;

        /** {@code welded} is copied: the volume correction moves the unpinned ones of undecimated patches. */
        Decimated(int patches, float[] welded) {
            this.tris = new int[patches][];
            this.welded = welded.clone();
        }

        int vertexCount() {
            return (welded.length + added.length) / 3;
        }

        void position(int v, float[] to, int at) {
            int i = 3 * v;
            float[] src = welded;
            if (i >= welded.length) {
                src = added;
                i -= welded.length;
            }
            System.arraycopy(src, i, to, at, 3);
        }
    }

    /** Triangles over all structures: a shared patch counts for both. */
    private static long usedTriangles(Patches ps) {
        long uses = 0;
        for (int p = 0; p < ps.count; p++) {
            uses += (long) ps.triangles(p) * (ps.other[p] >= 0 ? 2 : 1);
        }
        return uses;
    }

    /**
     * A patch as the decimator gets it.
     *
     * @param frozen welded vertices frozen on top of the rule (ends of chords that clashed), or null
     */
    private record PatchMesh(Mesh mesh, int[] pinnedVertices, int freezers, java.util.Set<Integer> frozen) {
        java.util.Set<Integer> frozen(IntList more) {
            java.util.Set<Integer> all = frozen == null ? new java.util.HashSet<>() : new java.util.HashSet<>(frozen);
            for (int i = 0; i < more.size(); i++) {
                all.add(more.get(i));
            }
            return all;
        }
    }

    private static QuadricDecimator.Result decimatePatch(Patches ps, int p, PatchMesh in, Options o, boolean overBudget, long uses) {
        int n = ps.triangles(p);
        long target = 0;
        if (o.decimateFraction() > 0) {
            target = (long) Math.ceil(o.decimateFraction() * n);
        }
        if (overBudget) {
            target = Math.max(target, (long) Math.ceil((double) o.decimateTriangles() * n / uses));
        }
        // The freezing triangles count as triangles to the decimator.
        QuadricDecimator.Options qo = new QuadricDecimator.Options(0, target > 0 ? target + in.freezers() : 0, o.maxErrorMm());
        return QuadricDecimator.decimate(in.mesh(), qo, 1);
    }

    private static Decimated decimate(Patches ps, Options o, int threads) {
        long uses = usedTriangles(ps);
        Decimated d = new Decimated(ps.count, ps.positions);
        Mesh[] outs = new Mesh[ps.count];
        PatchMesh[] ins = new PatchMesh[ps.count];
        double[] errors = new double[ps.count];
        Integer[] bySize = new Integer[ps.count];
        for (int p = 0; p < ps.count; p++) {
            bySize[p] = p;
        }
        Arrays.sort(bySize, Comparator.comparingInt(p -> -ps.triangles(p)));
        boolean overBudget = o.decimateTriangles() > 0 && uses > o.decimateTriangles();
        boolean decimate = o.decimateFraction() > 0 || overBudget || Double.isFinite(o.maxErrorMm());
        TupleIndex pinnedEdges = pinnedEdges(ps);
        int[][] chordEnds = adjacency(pinnedEdges, ps.positions.length / 3);
        // Largest first, so one big patch does not finish last on its own.
        Parallel.forEachTask(bySize.length, threads, i -> {
            int p = bySize[i];
            PatchMesh in = patchMesh(ps, p, chordEnds, null);
            ins[p] = in;
            if (decimate) {
                QuadricDecimator.Result r = decimatePatch(ps, p, in, o, overBudget, uses);
                outs[p] = r.mesh();
                errors[p] = r.maxErrorMm();
            }
        });
        // Number each patch's surviving inner vertices after the welded ones, patch by patch.
        int next = ps.positions.length / 3;
        FloatList added = new FloatList();
        for (int p = 0; p < ps.count; p++) {
            PatchMesh in = ins[p];
            Mesh out = outs[p];
            IntList clash = out == null || !pinnedKept(in, out) ? null : chordClashes(in, out, pinnedEdges, ps.owner[p], ps.other[p]);
            // A chord another patch of the same structure made first: decimate again with its ends frozen.
            for (int attempt = 0; clash != null && clash.size() > 0 && attempt < 3; attempt++) {
                d.retried++;
                in = patchMesh(ps, p, chordEnds, in.frozen(clash));
                QuadricDecimator.Result r = decimatePatch(ps, p, in, o, overBudget, uses);
                out = r.mesh();
                errors[p] = r.maxErrorMm();
                clash = !pinnedKept(in, out) ? null : chordClashes(in, out, pinnedEdges, ps.owner[p], ps.other[p]);
            }
            if (clash == null || clash.size() > 0) {
                d.undecimated += out == null ? 0 : 1;
                d.tris[p] = Arrays.copyOfRange(ps.tris, 3 * ps.start[p], 3 * ps.start[p + 1]);
                continue;
            }
            addChords(in, out, pinnedEdges, ps.owner[p], ps.other[p]);
            d.maxError = Math.max(d.maxError, errors[p]);
            int pinnedCount = in.pinnedVertices().length;
            int[] global = new int[out.vertexCount()];
            for (int v = 0; v < global.length; v++) {
                if (v < pinnedCount) {
                    global[v] = in.pinnedVertices()[v];
                } else {
                    global[v] = next++;
                    added.add(out.positions(), 3 * v);
                }
            }
            int[] t = out.triangles();
            IntList kept = new IntList();
            for (int i = 0; i < t.length; i += 3) {
                if (t[i] == t[i + 1] || t[i + 1] == t[i + 2] || t[i] == t[i + 2]) {
                    continue; // a freezing triangle
                }
                kept.add(global[t[i]]);
                kept.add(global[t[i + 1]]);
                kept.add(global[t[i + 2]]);
            }
            d.tris[p] = kept.toArray();
        }
        d.added = added.toArray();
        return d;
    }

    /**
     * Patch p as a mesh of its own: pinned vertices first (so, as the decimator keeps its survivors
     * in order and never removes a pinned one, they come back first), then inner ones, then one
     * triangle repeating each pinned vertex that its patch's triangles close around.
     */
    private static PatchMesh patchMesh(Patches ps, int p, int[][] pinnedNeighbours, java.util.Set<Integer> frozen) {
        int from = 3 * ps.start[p];
        int to = 3 * ps.start[p + 1];
        TupleIndex local = new TupleIndex(to - from);
        IntList pinnedList = new IntList();
        for (int i = from; i < to; i++) {
            int g = ps.tris[i];
            if (ps.pinned[g] && local.add(g, 0, 0) == pinnedList.size()) {
                pinnedList.add(g);
            }
        }
        IntList inner = new IntList();
        for (int i = from; i < to; i++) {
            int g = ps.tris[i];
            if (!ps.pinned[g] && local.add(g, 0, 0) == pinnedList.size() + inner.size()) {
                inner.add(g);
            }
        }
        int nb = pinnedList.size();
        int nv = nb + inner.size();
        float[] pos = new float[3 * nv];
        for (int v = 0; v < nv; v++) {
            int g = v < nb ? pinnedList.get(v) : inner.get(v - nb);
            System.arraycopy(ps.positions, 3 * g, pos, 3 * v, 3);
        }
        int[] t = new int[to - from];
        for (int i = from; i < to; i++) {
            t[i - from] = local.find(ps.tris[i], 0, 0);
        }
        Edges edges = edges(t);
        boolean[] onBorder = borderVertices(edges, nv);
        IntList freeze = new IntList();
        for (int v = 0; v < nb; v++) {
            if (!onBorder[v] || frozen != null && frozen.contains(pinnedList.get(v)) || chordPossible(v, pinnedList, local, edges, pinnedNeighbours, ps.owner[p], ps.other[p])) {
                freeze.add(v);
                freeze.add(v);
                freeze.add(v);
            }
        }
        int[] all = Arrays.copyOf(t, t.length + freeze.size());
        System.arraycopy(freeze.toArray(), 0, all, t.length, freeze.size());
        return new PatchMesh(new Mesh(pos, all), pinnedList.toArray(), freeze.size() / 3, frozen);
    }

    /** A patch's edges (smaller vertex first) and how many of its triangles use each. */
    private record Edges(TupleIndex index, int[] uses) {
        boolean has(int a, int b) {
            return index.find(Math.min(a, b), Math.max(a, b), 0) >= 0;
        }
    }

    private static Edges edges(int[] t) {
        TupleIndex index = new TupleIndex(t.length);
        IntList uses = new IntList();
        for (int i = 0; i < t.length; i += 3) {
            for (int e = 0; e < 3; e++) {
                int a = t[i + e];
                int b = t[i + (e + 1) % 3];
                int id = index.add(Math.min(a, b), Math.max(a, b), 0);
                if (id == uses.size()) {
                    uses.add(0);
                }
                uses.set(id, uses.get(id) + 1);
            }
        }
        return new Edges(index, uses.toArray());
    }

    /** Vertices on an edge that one triangle uses: the decimator keeps them in place. */
    private static boolean[] borderVertices(Edges edges, int nv) {
        boolean[] border = new boolean[nv];
        for (int id = 0; id < edges.uses().length; id++) {
            if (edges.uses()[id] == 1) {
                border[edges.index().key(id, 0)] = true;
                border[edges.index().key(id, 1)] = true;
            }
        }
        return border;
    }

    /**
     * Whether the decimator could join pinned vertex v to another pinned vertex of the patch that
     * another patch already joins it to (not this one): merging an inner vertex into v would make
     * that edge twice, an edge of four triangles in a structure. Such a vertex is frozen, not left
     * on the border, since only a merge into a pinned vertex makes a new edge between two.
     */
    private static boolean chordPossible(int v, IntList pinnedList, TupleIndex local, Edges edges, int[][] pinnedNeighbours,
                                         int owner, int other) {
        int nb = pinnedList.size();
        int[] around = pinnedNeighbours[pinnedList.get(v)];
        for (int j = 0; j < around.length; j += 2) {
            if (around[j + 1] != owner && around[j + 1] != other) {
                continue; // an edge of other structures: no conflict here
            }
            int u = local.find(around[j], 0, 0);
            if (u >= 0 && u < nb && !edges.has(u, v)) {
                return true;
            }
        }
        return false;
    }

    /** Each welded vertex's neighbours along the given edges: neighbour, structure, neighbour, structure, ... */
    private static int[][] adjacency(TupleIndex edges, int nv) {
        int[] count = new int[nv];
        for (int id = 0; id < edges.size(); id++) {
            count[edges.key(id, 0)] += 2;
            count[edges.key(id, 1)] += 2;
        }
        int[][] out = new int[nv][];
        for (int v = 0; v < nv; v++) {
            out[v] = new int[count[v]];
        }
        Arrays.fill(count, 0);
        for (int id = 0; id < edges.size(); id++) {
            int a = edges.key(id, 0);
            int b = edges.key(id, 1);
            int s = edges.key(id, 2);
            out[a][count[a]++] = b;
            out[a][count[a]++] = s;
            out[b][count[b]++] = a;
            out[b][count[b]++] = s;
        }
        return out;
    }

    /** Every edge between two pinned vertices in each structure using it: welded vertices (smaller first), structure. */
    private static TupleIndex pinnedEdges(Patches ps) {
        TupleIndex edges = new TupleIndex(1024);
        for (int p = 0; p < ps.count; p++) {
            for (int i = 3 * ps.start[p]; i < 3 * ps.start[p + 1]; i += 3) {
                for (int e = 0; e < 3; e++) {
                    int a = ps.tris[i + e];
                    int b = ps.tris[i + (e + 1) % 3];
                    if (ps.pinned[a] && ps.pinned[b]) {
                        edges.add(Math.min(a, b), Math.max(a, b), ps.owner[p]);
                        if (ps.other[p] >= 0) {
                            edges.add(Math.min(a, b), Math.max(a, b), ps.other[p]);
                        }
                    }
                }
            }
        }
        return edges;
    }

    /**
     * The ends of every new edge the decimation made between two pinned vertices (a chord across
     * the patch) that one of the patch's structures already has elsewhere: the decimator sees one
     * patch, and such an edge would be an edge of four triangles. Two patches of one structure can
     * make the same chord; the first one kept wins ({@link #addChords}).
     */
    private static IntList chordClashes(PatchMesh in, Mesh out, TupleIndex edges, int owner, int other) {
        IntList clash = new IntList();
        for (int[] c : newChords(in, out)) {
            if (edges.find(c[0], c[1], owner) >= 0 || other >= 0 && edges.find(c[0], c[1], other) >= 0) {
                clash.add(c[0]);
                clash.add(c[1]);
            }
        }
        return clash;
    }

    private static void addChords(PatchMesh in, Mesh out, TupleIndex edges, int owner, int other) {
        for (int[] c : newChords(in, out)) {
            edges.add(c[0], c[1], owner);
            if (other >= 0) {
                edges.add(c[0], c[1], other);
            }
        }
    }

    /** Edges of the decimated patch between two pinned vertices that the patch did not have, as welded vertices. */
    private static List<int[]> newChords(PatchMesh in, Mesh out) {
        int nb = in.pinnedVertices().length;
        int[] pin = in.pinnedVertices();
        TupleIndex before = new TupleIndex(64);
        int[] ti = in.mesh().triangles();
        for (int i = 0; i < ti.length; i += 3) {
            for (int e = 0; e < 3; e++) {
                int a = ti[i + e];
                int b = ti[i + (e + 1) % 3];
                if (a < nb && b < nb && a != b) {
                    before.add(Math.min(a, b), Math.max(a, b), 0);
                }
            }
        }
        List<int[]> chords = new ArrayList<>();
        int[] t = out.triangles();
        for (int i = 0; i < t.length; i += 3) {
            for (int e = 0; e < 3; e++) {
                int a = t[i + e];
                int b = t[i + (e + 1) % 3];
                if (a < nb && b < nb && a != b && before.find(Math.min(a, b), Math.max(a, b), 0) < 0) {
                    chords.add(new int[] {Math.min(pin[a], pin[b]), Math.max(pin[a], pin[b])});
                }
            }
        }
        return chords;
    }

    /** Whether the decimated patch kept its pinned vertices first and where they were (else it is left as it was). */
    private static boolean pinnedKept(PatchMesh in, Mesh out) {
        int nb = in.pinnedVertices().length;
        if (out.vertexCount() < nb) {
            return false;
        }
        float[] a = in.mesh().positions();
        float[] b = out.positions();
        for (int i = 0; i < 3 * nb; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    // ---- volume --------------------------------------------------------------------------------

    private static double[] signedVolumes(List<Mesh> meshes) {
        double[] v = new double[meshes.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = MeshQuality.signedVolume(meshes.get(k));
        }
        return v;
    }

    /**
     * What restoring the volumes took: {@code rounds} of moves, {@code maxMovedMm} the farthest a
     * patch moved (summed over rounds), {@code worstChange} after it and {@code worstChangeBefore}
     * straight after the decimator (each the largest change of a structure's enclosed volume
     * relative to before the decimation), and its time.
     *
     * <p>Gives every structure back the volume it enclosed before the decimation, moving only
     * unpinned vertices, so shared boundaries stay shared vertex for vertex and junctions, rims and
     * split corners stay where they were.
     *
     * <p>Each patch moves as a whole by one distance {@code t_p} along its vertices' volume
     * gradients (the area-weighted normals, pointing out of the owner): its owner's volume changes
     * by {@code G_p t_p} and the other structure's by {@code -G_p t_p}, where {@code G_p} sums the
     * gradients' lengths (each times its vertex's share of the move). The smallest such move
     * (least {@code sum G_p t_p^2}) that gives each structure k its missing volume {@code dV_k} is {@code t_p = lambda_owner - lambda_other}
     * (lambda 0 outside) with {@code L lambda = dV}, L the Laplacian of the graph of structures
     * joined by shared patches weighted by G, grounded by the patches facing outside: a small
     * symmetric positive definite system, solved by conjugate gradients. Volume is cubic in the
     * positions, so this is repeated (Newton steps) until every structure is within
     * {@link #TOLERANCE}. Vertices next to a pinned one move a quarter as far ({@link #RIM_WEIGHT}).
     * The moves are small beside the decimation's own error (AAL print: at most 0.06 mm; web, whose
     * budget took collapses of up to 4.6 mm: 1.6 mm).
     */
    public record VolumeCorrection(int rounds, double maxMovedMm, double worstChange, double worstChangeBefore, long ms) {
        public static final VolumeCorrection NONE = new VolumeCorrection(0, 0, 0, 0, 0);
        /** Relative to the structure's volume before the decimation. */
        static final double TOLERANCE = 1e-5;
        static final int MAX_ROUNDS = 6;

        static VolumeCorrection restore(Patches ps, Decimated d, double[] target) {
            long t0 = System.nanoTime();
            int n = target.length;
            int nWelded = d.welded.length / 3;
            double[] grad = new double[3 * d.vertexCount()];
            double[] weight = weights(ps, d, nWelded);
            double[] patchVolume = new double[ps.count];
            double[] g = new double[ps.count];
            double moved = 0;
            double worstBefore = -1;
            double worst = 0;
            int round = 0;
            for (; ; round++) {
                measure(ps, d, weight, grad, patchVolume, g);
                double[] missing = new double[n];
                for (int p = 0; p < ps.count; p++) {
                    missing[ps.owner[p]] -= patchVolume[p];
                    if (ps.other[p] >= 0) {
                        missing[ps.other[p]] += patchVolume[p];
                    }
                }
                worst = 0;
                for (int k = 0; k < n; k++) {
                    missing[k] += target[k];
                    worst = Math.max(worst, Math.abs(missing[k]) / Math.max(Math.abs(target[k]), Double.MIN_NORMAL));
                }
                if (worstBefore < 0) {
                    worstBefore = worst;
                }
                if (worst <= TOLERANCE || round == MAX_ROUNDS) {
                    break;
                }
                double[] lambda = solve(ps, g, missing);
                double step = 0;
                for (int p = 0; p < ps.count; p++) {
                    double t = lambda[ps.owner[p]] - (ps.other[p] >= 0 ? lambda[ps.other[p]] : 0);
                    if (g[p] > 0 && t != 0) {
                        move(d, weight, nWelded, p, t, grad);
                        step = Math.max(step, Math.abs(t));
                    }
                }
                moved += step;
                if (step == 0) {
                    break; // nothing movable is left where volume is missing
                }
            }
            return new VolumeCorrection(round, moved, worst, worstBefore, (System.nanoTime() - t0) / 1_000_000);
        }

        /**
         * The share of its patch's move a vertex next to a pinned one takes. Moving those fully
         * makes a step at every rim and junction, and where a structure's two walls nearly touch
         * (the mesher's necks, a thousandth of a voxel apart) the step crosses the other wall: on
         * AAL print, 1 added 237 crossing triangle pairs to the decimator's 3,226, 0.25 adds 157
         * and moves no vertex over 0.05 mm; 0 (not moving them) adds 50 but leaves so few
         * vertices to move that some patch moves 0.24 mm, more than print's error bound.
         */
        static final double RIM_WEIGHT = 0.25;

        /** Per vertex: how far it moves, as a share of its patch's distance: pinned 0, next to a pinned one {@link #RIM_WEIGHT}, else 1. */
        private static double[] weights(Patches ps, Decimated d, int nWelded) {
            double[] w = new double[d.vertexCount()];
            Arrays.fill(w, 1);
            for (int v = 0; v < nWelded; v++) {
                w[v] = ps.pinned[v] ? 0 : 1;
            }
            for (int[] t : d.tris) {
                for (int i = 0; i < t.length; i += 3) {
                    boolean nearPin = t[i] < nWelded && ps.pinned[t[i]] || t[i + 1] < nWelded && ps.pinned[t[i + 1]]
                            || t[i + 2] < nWelded && ps.pinned[t[i + 2]];
                    if (nearPin) {
                        for (int e = 0; e < 3; e++) {
                            w[t[i + e]] = Math.min(w[t[i + e]], RIM_WEIGHT);
                        }
                    }
                }
            }
            return w;
        }

        /**
         * Each patch's share of its owner's signed volume, each movable vertex's volume gradient
         * (a sixth of the summed cross products of its triangles; an unpinned vertex's triangles
         * are all in its patch), and per patch the sum of those gradients' lengths.
         */
        private static void measure(Patches ps, Decimated d, double[] weight, double[] grad, double[] patchVolume, double[] g) {
            Arrays.fill(grad, 0);
            float[] a = new float[3];
            float[] b = new float[3];
            float[] c = new float[3];
            for (int p = 0; p < ps.count; p++) {
                int[] t = d.tris[p];
                double vol = 0;
                for (int i = 0; i < t.length; i += 3) {
                    d.position(t[i], a, 0);
                    d.position(t[i + 1], b, 0);
                    d.position(t[i + 2], c, 0);
                    double ux = b[0] - a[0], uy = b[1] - a[1], uz = b[2] - a[2];
                    double wx = c[0] - a[0], wy = c[1] - a[1], wz = c[2] - a[2];
                    double nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
                    vol += (a[0] * ((double) b[1] * c[2] - (double) b[2] * c[1]) + a[1] * ((double) b[2] * c[0] - (double) b[0] * c[2])
                            + a[2] * ((double) b[0] * c[1] - (double) b[1] * c[0])) / 6;
                    for (int e = 0; e < 3; e++) {
                        int v = t[i + e];
                        if (weight[v] > 0) {
                            grad[3 * v] += nx / 6;
                            grad[3 * v + 1] += ny / 6;
                            grad[3 * v + 2] += nz / 6;
                        }
                    }
                }
                patchVolume[p] = vol;
            }
            for (int p = 0; p < ps.count; p++) {
                double sum = 0;
                for (int v : movableVertices(d, weight, p)) {
                    sum += weight[v] * Math.sqrt(grad[3 * v] * grad[3 * v] + grad[3 * v + 1] * grad[3 * v + 1] + grad[3 * v + 2] * grad[3 * v + 2]);
                }
                g[p] = sum;
            }
        }

        /** Patch p's movable vertices, each once. */
        private static int[] movableVertices(Decimated d, double[] weight, int p) {
            int[] t = d.tris[p];
            TupleIndex seen = new TupleIndex(t.length / 2 + 16);
            IntList out = new IntList();
            for (int v : t) {
                if (weight[v] > 0 && seen.add(v, 0, 0) == out.size()) {
                    out.add(v);
                }
            }
            return out.toArray();
        }

        /** Moves patch p's movable vertices a distance t along their gradients (out of the owner when t > 0). */
        private static void move(Decimated d, double[] weight, int nWelded, int p, double t, double[] grad) {
            for (int v : movableVertices(d, weight, p)) {
                double gx = grad[3 * v], gy = grad[3 * v + 1], gz = grad[3 * v + 2];
                double len = Math.sqrt(gx * gx + gy * gy + gz * gz) / weight[v];
                if (len == 0) {
                    continue;
                }
                float[] pos = v < nWelded ? d.welded : d.added;
                int i = 3 * (v < nWelded ? v : v - nWelded);
                pos[i] += (float) (t * gx / len);
                pos[i + 1] += (float) (t * gy / len);
                pos[i + 2] += (float) (t * gz / len);
            }
        }

        /**
         * Solves {@code L lambda = missing} by conjugate gradients, Jacobi preconditioned. A
         * structure with nothing movable keeps lambda 0. A group of structures joined by movable
         * shared patches but meeting the outside nowhere movable can only trade volume among
         * themselves: they get their missing volumes less the group's mean (so the system has an
         * answer), and a tiny diagonal term keeps L definite there.
         */
        private static double[] solve(Patches ps, double[] g, double[] missing) {
            int n = missing.length;
            double[] diag = new double[n];
            int[] group = new int[n];
            for (int k = 0; k < n; k++) {
                group[k] = k;
            }
            boolean[] grounded = new boolean[n];
            for (int p = 0; p < ps.count; p++) {
                if (g[p] == 0) {
                    continue;
                }
                diag[ps.owner[p]] += g[p];
                if (ps.other[p] >= 0) {
                    diag[ps.other[p]] += g[p];
                    group[root(group, ps.owner[p])] = root(group, ps.other[p]);
                }
            }
            for (int p = 0; p < ps.count; p++) {
                if (g[p] > 0 && ps.other[p] < 0) {
                    grounded[root(group, ps.owner[p])] = true;
                }
            }
            double[] sum = new double[n];
            int[] size = new int[n];
            for (int k = 0; k < n; k++) {
                if (diag[k] > 0) {
                    sum[root(group, k)] += missing[k];
                    size[root(group, k)]++;
                }
            }
            missing = missing.clone();
            for (int k = 0; k < n; k++) {
                int r = root(group, k);
                if (diag[k] > 0 && !grounded[r]) {
                    missing[k] -= sum[r] / size[r];
                }
            }
            double[] x = new double[n];
            double[] r = new double[n];
            double[] z = new double[n];
            double[] dir = new double[n];
            double[] q = new double[n];
            double norm = 0;
            for (int k = 0; k < n; k++) {
                r[k] = diag[k] > 0 ? missing[k] : 0;
                norm += r[k] * r[k];
            }
            if (norm == 0) {
                return x;
            }
            double rz = 0;
            for (int k = 0; k < n; k++) {
                z[k] = diag[k] > 0 ? r[k] / diag[k] : 0;
                dir[k] = z[k];
                rz += r[k] * z[k];
            }
            for (int it = 0; it < 4 * n + 20 && rz > 0; it++) {
                multiply(ps, g, diag, dir, q);
                double dq = 0;
                for (int k = 0; k < n; k++) {
                    dq += dir[k] * q[k];
                }
                if (!(dq > 0)) {
                    break;
                }
                double alpha = rz / dq;
                double rr = 0;
                for (int k = 0; k < n; k++) {
                    x[k] += alpha * dir[k];
                    r[k] -= alpha * q[k];
                    rr += r[k] * r[k];
                }
                if (rr <= 1e-28 * norm) {
                    break;
                }
                double rzNext = 0;
                for (int k = 0; k < n; k++) {
                    z[k] = diag[k] > 0 ? r[k] / diag[k] : 0;
                    rzNext += r[k] * z[k];
                }
                for (int k = 0; k < n; k++) {
                    dir[k] = z[k] + rzNext / rz * dir[k];
                }
                rz = rzNext;
            }
            return x;
        }

        private static int root(int[] parent, int k) {
            while (parent[k] != k) {
                parent[k] = parent[parent[k]];
                k = parent[k];
            }
            return k;
        }

        /** q = L x, plus the tiny diagonal term. */
        private static void multiply(Patches ps, double[] g, double[] diag, double[] x, double[] q) {
            for (int k = 0; k < q.length; k++) {
                q[k] = 1e-9 * diag[k] * x[k];
            }
            for (int p = 0; p < ps.count; p++) {
                int o = ps.owner[p];
                int j = ps.other[p];
                double flow = g[p] * (x[o] - (j >= 0 ? x[j] : 0));
                q[o] += flow;
                if (j >= 0) {
                    q[j] -= flow;
                }
            }
        }
    }

    // ---- small helpers -------------------------------------------------------------------------


    /**
     * Tuples of three ints numbered in the order first added (open addressing), so a tuple's number
     * can index parallel lists: welded positions, triangles by their sorted vertices, pairs, edges.
     */
    static final class TupleIndex {
        private int[] keys;
        private int[] slots;
        private int size;

        TupleIndex(int expected) {
            int cap = Integer.highestOneBit(Math.max(16, 2 * expected) - 1) << 1;
            slots = new int[cap];
            Arrays.fill(slots, -1);
            keys = new int[3 * Math.max(16, expected)];
        }

        int size() {
            return size;
        }

        int key(int id, int k) {
            return keys[3 * id + k];
        }

        /** The tuple's number, or -1 when it was never added. */
        int find(int a, int b, int c) {
            int mask = slots.length - 1;
            for (int s = hash(a, b, c) & mask; ; s = (s + 1) & mask) {
                int id = slots[s];
                if (id < 0) {
                    return -1;
                }
                if (keys[3 * id] == a && keys[3 * id + 1] == b && keys[3 * id + 2] == c) {
                    return id;
                }
            }
        }

        /** The tuple's number; a new one ({@code size() - 1} after) when it was not there. */
        int add(int a, int b, int c) {
            int mask = slots.length - 1;
            int s = hash(a, b, c) & mask;
            for (; ; s = (s + 1) & mask) {
                int id = slots[s];
                if (id < 0) {
                    break;
                }
                if (keys[3 * id] == a && keys[3 * id + 1] == b && keys[3 * id + 2] == c) {
                    return id;
                }
            }
            if (3 * size + 3 > keys.length) {
                keys = Arrays.copyOf(keys, 2 * keys.length);
            }
            keys[3 * size] = a;
            keys[3 * size + 1] = b;
            keys[3 * size + 2] = c;
            slots[s] = size;
            size++;
            if (2 * size > slots.length) {
                grow();
            }
            return size - 1;
        }

        private void grow() {
            slots = new int[2 * slots.length];
            Arrays.fill(slots, -1);
            int mask = slots.length - 1;
            for (int id = 0; id < size; id++) {
                int s = hash(keys[3 * id], keys[3 * id + 1], keys[3 * id + 2]) & mask;
                while (slots[s] >= 0) {
                    s = (s + 1) & mask;
                }
                slots[s] = id;
            }
        }

        private static int hash(int a, int b, int c) {
            int h = a * 0x9E3779B1 + b * 0x85EBCA77 + c * 0xC2B2AE3D;
            return h ^ h >>> 15;
        }
    }

    static final class IntList {
        private int[] a = new int[16];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        int get(int i) {
            return a[i];
        }

        void set(int i, int v) {
            a[i] = v;
        }

        int size() {
            return n;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    static final class FloatList {
        private float[] a = new float[48];
        private int n;

        /** Adds the three floats at {@code from[at..at+2]}. */
        void add(float[] from, int at) {
            if (n + 3 > a.length) {
                a = Arrays.copyOf(a, 2 * a.length);
            }
            System.arraycopy(from, at, a, n, 3);
            n += 3;
        }

        float[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
