package dev.meshpipe.mesh.mc;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.Volume;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

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
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "isovalue must be finite");
        }
        Mesh fast = extractFast(volume, iso, closedBorders, threads);
        return fast != null ? fast : extractGeneral(volume, iso, closedBorders, threads);
    }

    /** The fast path alone; null when vertices need merging (a vertex rounds onto a grid point), as the GPU path decides too. */
    public static Mesh extractFast(Volume volume, double iso, boolean closedBorders, int threads) {
        try (Parallel par = new Parallel(threads)) {
            return new RowMarchingCubes(volume, iso, closedBorders).run(par);
        }
    }

    /** The general path alone. */
    static Mesh extractGeneral(Volume volume, double iso, boolean closedBorders, int threads) {
        return SlabMarchingCubes.extract(volume, iso, closedBorders, threads);
    }

    /** Runs work over z-slabs on a pool of the requested size (or inline for one thread). */
    static final class Parallel implements AutoCloseable {
        interface SlabBody {
            void run(int slab, int k0, int k1);
        }

        private final int threads;
        private final ForkJoinPool pool;

        Parallel(int threads) {
            this.threads = Math.max(1, threads);
            this.pool = this.threads == 1 ? null : new ForkJoinPool(this.threads);
        }

        /** How many slabs [0, n) is split into: a few per thread, for balance where the surface is uneven. */
        int slabCount(int n) {
            return Math.max(1, Math.min(n, threads == 1 ? 1 : threads * 4));
        }

        /** Runs {@code body} once per slab, in parallel; slab s covers [n*s/slabs, n*(s+1)/slabs). */
        void forEachSlab(int n, SlabBody body) {
            int slabs = slabCount(n);
            if (pool == null) {
                body.run(0, 0, n);
                return;
            }
            try {
                pool.submit(() -> IntStream.range(0, slabs).parallel()
                        .forEach(s -> body.run(s, (int) ((long) n * s / slabs), (int) ((long) n * (s + 1) / slabs)))).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            }
        }

        @Override
        public void close() {
            if (pool != null) {
                pool.shutdown();
            }
        }
    }
}
