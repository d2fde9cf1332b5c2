package dev.meshpipe.mesh.mc;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Classic marching cubes on the CPU, giving the same vertices and counts as VTK's
 * {@code vtkMarchingCubes}: vertices at grid index times spacing, one vertex per crossed edge,
 * placed as VTK places them (double arithmetic, rounded to float once), vertices that round onto
 * the same grid point merged, and triangles that collapse dropped. The case table is
 * {@link CaseTable}.
 *
 * <p>Borders: with closed borders the grid is surrounded by a virtual layer of samples that are
 * never part of the object; a crossing to that layer lies halfway along its edge, so the cap sits
 * half a voxel outside the data and the surface is closed. A crossing to any non-finite sample is
 * placed halfway as well; NaN counts as outside the object.
 *
 * <p>Two implementations give the same mesh: {@link RowMarchingCubes}, fast, used unless some
 * vertex rounds onto a grid point, and {@link SlabMarchingCubes}, which also merges those.
 */
public final class MarchingCubes {
    private MarchingCubes() {}

    /** Extracts the isosurface in grid space (index times spacing) with up to {@code threads} threads. */
    public static Mesh extract(Volume volume, double iso, boolean closedBorders, int threads) {
        if (!Double.isFinite(iso)) {
            throw new MeshException(MeshError.INVALID_PARAMETER, "isovalue must be finite");
        }
        Mesh fast = extractFast(volume, iso, closedBorders, threads);
        return fast != null ? fast : extractGeneral(volume, iso, closedBorders, threads);
    }

    /** The fast path alone; null when vertices need merging (a vertex rounds onto a grid point), as the GPU path decides too. */
    public static Mesh extractFast(Volume volume, double iso, boolean closedBorders, int threads) {
        // A row-path slab costs one layer scan: 8 per thread (4 left ch2's last slab running alone).
        return new RowMarchingCubes(volume, iso, closedBorders).run(new Parallel(threads, 8));
    }

    /**
     * The general path alone (vertices merged), for a caller that already knows the fast path
     * cannot take the volume: the GPU, whose fast path said so, need not run the CPU's again.
     */
    public static Mesh extractGeneral(Volume volume, double iso, boolean closedBorders, int threads) {
        return SlabMarchingCubes.extract(volume, iso, closedBorders, threads);
    }

    /**
     * Runs work over z-slabs: {@code threads} workers of a pool kept for that thread count take
     * slabs in turn from a shared counter, so a worker that finishes early takes the next slab
     * instead of waiting, and no call pays for starting threads.
     */
    static final class Parallel {
        interface SlabBody {
            void run(int slab, int k0, int k1);
        }

        private static final ConcurrentHashMap<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();
        private final int threads;
        private final int slabsPerThread;

        /**
         * @param slabsPerThread enough that the last slab to finish is short; each extra slab costs
         *                       its path a boundary layer, so each path sets its own
         */
        Parallel(int threads, int slabsPerThread) {
            this.threads = Math.max(1, threads);
            this.slabsPerThread = slabsPerThread;
        }

        /** How many slabs [0, n) is split into. */
        int slabCount(int n) {
            return Math.max(1, Math.min(n, threads == 1 ? 1 : threads * slabsPerThread));
        }

        /** Runs {@code body} once per slab, in parallel; slab s covers [n*s/slabs, n*(s+1)/slabs). */
        void forEachSlab(int n, SlabBody body) {
            int slabs = slabCount(n);
            if (threads == 1) {
                body.run(0, 0, n);
                return;
            }
            ForkJoinPool pool = POOLS.computeIfAbsent(threads, ForkJoinPool::new);
            AtomicInteger next = new AtomicInteger();
            Runnable worker = () -> {
                for (int s; (s = next.getAndIncrement()) < slabs; ) {
                    body.run(s, (int) ((long) n * s / slabs), (int) ((long) n * (s + 1) / slabs));
                }
            };
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < Math.min(threads, slabs); t++) {
                running.add(pool.submit(worker));
            }
            dev.meshpipe.mesh.finish.Parallel.await(running);
        }
    }
}
