package dev.meshpipe.gpu;

import dev.meshpipe.mesh.MeshError;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.mc.Grid;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marching cubes on the GPU ({@code src/main/cuda/marching_cubes.cu}), giving the CPU path's mesh:
 * the same vertices, one per crossed edge, and the same triangles, as an indexed mesh built on the
 * device. The grid goes through in z-slabs sized to the GPU's free memory; each slab uploads its
 * samples, classifies, counts and scans, then writes vertices and triangles, and its mesh comes back.
 *
 * <p>Transfers go through two pinned host pieces in turn: while the DMA engine moves one, host
 * threads fill (or empty) the other, so a transfer takes about as long as the slower of the two
 * rather than their sum, and a volume of any size needs only the two pieces of pinned memory.
 *
 * <p>Where a vertex rounds onto a grid point (vertices must then be merged) the job runs on the
 * CPU's merging path instead, as the CPU's own fast path does. A device error (out of memory, a
 * failed launch) resets the device and either runs the job on the CPU or fails it with
 * {@code GPU_ERROR}, as configured.
 */
public final class GpuMarchingCubes implements MeshJob.Extractor {
    private static final Logger log = LoggerFactory.getLogger(GpuMarchingCubes.class);
    private static final int CHUNK = 32;
    /** Count pairs one warp scans (SCAN_TILE in the kernels). */
    private static final int SCAN_TILE = 1024;
    /** Layers one warp of mc_classify walks through (CLASSIFY_LAYERS in the kernels). */
    private static final int CLASSIFY_LAYERS = 8;
    /** Bytes per pinned transfer piece. */
    private static final int PIECE = 32 << 20;
    /** Share of free device memory a slab's working buffers may take; the rest is for its mesh. */
    private static final double SLAB_SHARE = 0.4;

    /** What a device error does to the job. */
    public enum OnError {
        CPU, FAIL;

        public static OnError parse(String s) {
            String v = s == null || s.isBlank() ? "cpu" : s.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "cpu" -> CPU;
                case "fail" -> FAIL;
                default -> throw new MeshException(MeshError.INVALID_PARAMETER, "MESHPIPE_GPU_ERRORS must be cpu or fail, got '" + s + "'");
            };
        }
    }

    /** Figures from one extraction, for the benchmark. */
    public record Timed(Mesh mesh, int slabs, double kernelMs, double uploadMs, double downloadMs, double totalMs) {}

    private final GpuDevice gpu;
    private final int cpuThreads;
    private final OnError onError;
    private final int slabCellsOverride;
    private final GpuDevice.Buffer vol;
    private final GpuDevice.Buffer flags;
    private final GpuDevice.Buffer counts;
    private final GpuDevice.Buffer levels;
    private final GpuDevice.Buffer positions;
    private final GpuDevice.Buffer triangles;
    private final GpuDevice.Buffer snapped;
    private final GpuDevice.PinnedBuffer[] pieces = new GpuDevice.PinnedBuffer[2];
    private final ExecutorService copiers;

    private GpuMarchingCubes(GpuDevice gpu, int cpuThreads, OnError onError, int slabCellsOverride) {
        this.gpu = gpu;
        this.cpuThreads = cpuThreads;
        this.onError = onError;
        this.slabCellsOverride = slabCellsOverride;
        synchronized (gpu) {
            gpu.makeCurrent();
            vol = gpu.buffer();
            flags = gpu.buffer();
            counts = gpu.buffer();
            levels = gpu.buffer();
            positions = gpu.buffer();
            triangles = gpu.buffer();
            snapped = gpu.buffer();
            pieces[0] = gpu.pinnedBuffer();
            pieces[1] = gpu.pinnedBuffer();
        }
        // One core copies host memory at well under the PCIe rate; a few keep the DMA engine busy.
        copiers = Executors.newFixedThreadPool(Math.max(1, Math.min(cpuThreads, 8)), r -> {
            Thread t = new Thread(r, "gpu-copy");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the GPU; throws {@link GpuUnavailableException} saying why there is none.
     *
     * @param slabCells cell layers per slab, or 0 to size slabs from free device memory
     */
    public static GpuMarchingCubes open(int cpuThreads, OnError onError, int slabCells) {
        return new GpuMarchingCubes(GpuDevice.open(), cpuThreads, onError, slabCells);
    }

    public String deviceName() {
        return gpu.name;
    }

    @Override
    public MeshJob.Extraction extract(Volume v, double iso, boolean closed) {
        Timed t;
        try {
            t = extractTimed(v, iso, closed);
        } catch (CudaException e) {
            recover();
            String why = e.getMessage() == null ? "CUDA error" : e.getMessage().lines().findFirst().orElse("CUDA error");
            if (onError == OnError.FAIL) {
                throw new MeshException(MeshError.GPU_ERROR, "the GPU failed on this volume: " + why);
            }
            log.warn("GPU error ({}); this job runs on the CPU", why);
            return new MeshJob.Extraction(MarchingCubes.extract(v, iso, closed, cpuThreads), "cpu (after a GPU error)");
        }
        if (t.mesh() == null) {
            // A vertex rounded onto a grid point: such vertices must be merged, which the CPU's general
            // path does. The CPU's fast path would find the same vertex and give up too, so skip it.
            return new MeshJob.Extraction(MarchingCubes.extractGeneral(v, iso, closed, cpuThreads), "cpu (vertices needed merging)");
        }
        return new MeshJob.Extraction(t.mesh(), "gpu (" + gpu.name + ")");
    }

    private void recover() {
        synchronized (gpu) {
            try {
                gpu.reset();
            } catch (RuntimeException e) {
                log.error("could not reset the GPU after an error: {}", e.getMessage());
            }
        }
    }

    /** Extracts on the GPU; the mesh is null when vertices need merging. Throws CudaException on device errors. */
    public Timed extractTimed(Volume v, double iso, boolean closed) {
        if (!Double.isFinite(iso)) {
            throw new MeshException(MeshError.INVALID_PARAMETER, "isovalue must be finite");
        }
        synchronized (gpu) {
            gpu.makeCurrent();
            try {
                return run(v, iso, closed);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while copying to or from the GPU", e);
            }
        }
    }

    private Timed run(Volume v, double iso, boolean closed) throws InterruptedException {
        long t0 = System.nanoTime();
        Grid g = Grid.of(v, iso, closed);
        if (!g.hasCells()) {
            return new Timed(Mesh.empty(), 0, 0, 0, 0, 0);
        }
        int nx = g.nx(), ny = g.ny(), nz = g.nz();
        int o = g.pad();
        int gx = g.gx(), gy = g.gy(), gz = g.gz();
        float isoF = g.isoF();
        int above = g.objectAbove() ? 1 : 0;
        double[] s = v.spacing();
        long segments = (gx + CHUNK - 1) / CHUNK;
        // The kernels index a slab's chunks with 32 bits.
        int slabCells = (int) Math.min(slabCells(nx, ny, gx, gy, gz, segments), (1L << 32) / (segments * gy) - 2);
        cuMemsetD8(snapped.ensure(4), (byte) 0, 4);
        List<float[]> posParts = new ArrayList<>();
        List<int[]> triParts = new ArrayList<>();
        long vBase = 0;
        long tTotal = 0;
        double kernelMs = 0, uploadMs = 0, downloadMs = 0;
        int slabs = 0;
        for (int k0 = 0; k0 < gz - 1; slabs++) {
            int k1 = Math.min(k0 + slabCells, gz - 1);
            int kCount = k1 - k0 + 1;
            // Samples of grid layers [k0, min(k1 + 1, gz - 1)]: layer k1's z-edges reach one further.
            int zLo = Math.max(0, k0 - o);
            int zHi = Math.min(nz - 1, Math.min(k1 + 1, gz - 1) - o);
            int nzLoc = Math.max(0, zHi - zLo + 1);
            long u0 = System.nanoTime();
            upload(v.data(), (long) zLo * nx * ny, (long) nzLoc * nx * ny);
            uploadMs += (System.nanoTime() - u0) / 1e6;

            long chunks = segments * gy * kCount;
            long cellChunks = segments * gy * (kCount - 1);
            boolean last = k1 == gz - 1;
            long ownedChunks = last ? chunks : cellChunks;
            flags.ensure((long) gx * gy * kCount);
            // (vertices, triangles) per chunk, and one zero pair after them: after the exclusive scan it holds the totals.
            counts.ensure(16 * (chunks + 1));
            cuMemsetD8(counts.ptr.withByteOffset(16 * chunks), (byte) 0, 16);
            levels.ensure(16 * levelSpace(chunks + 1));

            cuEventRecord(gpu.start, null);
            gpu.launch("mc_classify", 32 * segments * gy * ((kCount + CLASSIFY_LAYERS - 1) / CLASSIFY_LAYERS), vol, nx, ny, nzLoc, zLo, o, gx, gy, gz, k0, kCount, isoF, above, gpu.caseTable(),
                    flags, counts);
            scan(counts.ptr, chunks + 1);
            cuEventRecord(gpu.end, null);
            kernelMs += elapsed();
            long[] totals = new long[2];
            cuMemcpyDtoH(Pointer.to(totals), counts.ptr.withByteOffset(16 * chunks), 16);
            long tCount = totals[1];
            long ownedV = totals[0];
            if (ownedChunks != chunks) {
                cuMemcpyDtoH(Pointer.to(totals), counts.ptr.withByteOffset(16 * ownedChunks), 8);
                ownedV = totals[0];
            }
            Grid.requireMeshFits(vBase + ownedV, tTotal + tCount);
            positions.ensure(12 * ownedV);
            triangles.ensure(12 * tCount);
            cuEventRecord(gpu.start, null);
            gpu.launch("mc_generate", ownedChunks, /* a warp per 32 chunks */ vol, nx, ny, nzLoc, zLo, o, gx, gy, gz, k0, kCount, isoF, above, iso,
                    s[0], s[1], s[2], gpu.caseTable(), flags, counts, ownedChunks, cellChunks, vBase, 1 - above, positions, triangles,
                    snapped);
            cuEventRecord(gpu.end, null);
            gpu.synchronize();
            kernelMs += elapsed();

            long d0 = System.nanoTime();
            float[] p = new float[(int) (3 * ownedV)];
            download(positions.ptr, 4L * p.length, (b, at) -> b.asFloatBuffer().get(p, (int) (at / 4), b.remaining() / 4));
            int[] t = new int[(int) (3 * tCount)];
            download(triangles.ptr, 4L * t.length, (b, at) -> b.asIntBuffer().get(t, (int) (at / 4), b.remaining() / 4));
            downloadMs += (System.nanoTime() - d0) / 1e6;
            posParts.add(p);
            triParts.add(t);
            vBase += ownedV;
            tTotal += tCount;
            k0 = k1;
        }
        int[] snap = new int[1];
        cuMemcpyDtoH(Pointer.to(snap), snapped.ptr, 4);
        Mesh mesh = snap[0] != 0 ? null : new Mesh(concatFloats(posParts, (int) (3 * vBase)), concatInts(triParts, (int) (3 * tTotal)));
        return new Timed(mesh, slabs, kernelMs, uploadMs, downloadMs, (System.nanoTime() - t0) / 1e6);
    }

    /** Cell layers per slab: as many as fit the share of free memory the working buffers may use. */
    private int slabCells(int nx, int ny, int gx, int gy, int gz, long segments) {
        if (slabCellsOverride > 0) {
            return slabCellsOverride;
        }
        long perLayer = (long) gx * gy + 16L * segments * gy + 4L * nx * ny + 16L * segments * gy / (SCAN_TILE - 1) + 64;
        long held = vol.bytes + flags.bytes + counts.bytes + levels.bytes + positions.bytes + triangles.bytes;
        long budget = (long) ((gpu.freeMemory() + held) * SLAB_SHARE);
        long layers = budget / perLayer - 2;
        if (layers < 1) {
            throw new CudaException("CUDA_ERROR_OUT_OF_MEMORY: not even one layer of this volume fits the GPU");
        }
        return (int) Math.min(layers, gz - 1);
    }

    /** Count pairs in every level of sums in {@link #scan}. */
    private static long levelSpace(long n) {
        long total = 0;
        for (long m = n; m > 1; ) {
            m = (m + SCAN_TILE - 1) / SCAN_TILE;
            total += m;
        }
        return Math.max(total, 1);
    }

    /** Exclusive prefix sums of n (u64, u64) pairs in place, level by level in the levels buffer (no host round trip). */
    private void scan(CUdeviceptr data, long n) {
        scanLevel(data, n, levels.ptr);
    }

    private void scanLevel(CUdeviceptr data, long n, CUdeviceptr sums) {
        long tiles = (n + SCAN_TILE - 1) / SCAN_TILE;
        gpu.launch("mc_scan_reduce", 32 * tiles, data, n, sums);
        if (tiles == 1) {
            cuMemsetD8(sums, (byte) 0, 16);
        } else {
            scanLevel(sums, tiles, sums.withByteOffset(16 * tiles));
        }
        gpu.launch("mc_scan_down", 32 * tiles, data, n, sums);
    }

    /** Copies count floats from data[from..] to the device buffer vol, piece by piece through the pinned pieces. */
    private void upload(float[] data, long from, long count) throws InterruptedException {
        CUdeviceptr dst = vol.ensure(Math.max(4 * count, 4));
        long bytes = 4 * count;
        for (long at = 0, piece = 0; at < bytes; at += PIECE, piece++) {
            int n = (int) Math.min(PIECE, bytes - at);
            GpuDevice.PinnedBuffer buf = pieces[(int) (piece % 2)];
            ByteBuffer b = buf.ensure(PIECE);
            cuEventSynchronize(buf.free); // its previous copy has left it
            long first = from + at / 4;
            parallel(n / 4, (lo, hi) -> b.duplicate().order(b.order()).position(4 * lo).asFloatBuffer()
                    .put(data, (int) (first + lo), hi - lo));
            cuMemcpyHtoDAsync(dst.withByteOffset(at), buf.host, n, gpu.copies);
            cuEventRecord(buf.free, gpu.copies);
        }
        cuStreamSynchronize(gpu.copies);
    }

    private interface Sink {
        /** Takes the bytes of b (position 0 to limit), which start at byte {@code at} of the copied range. */
        void take(ByteBuffer b, long at);
    }

    /** Copies device memory to the host piece by piece: the DMA of the next piece overlaps the emptying of this one. */
    private void download(CUdeviceptr src, long bytes, Sink sink) throws InterruptedException {
        long pieceCount = (bytes + PIECE - 1) / PIECE;
        for (long piece = 0; piece < pieceCount; piece++) {
            if (piece == 0) {
                startDownload(src, bytes, 0);
            }
            if (piece + 1 < pieceCount) {
                startDownload(src, bytes, piece + 1);
            }
            GpuDevice.PinnedBuffer buf = pieces[(int) (piece % 2)];
            ByteBuffer b = buf.ensure(PIECE);
            cuEventSynchronize(buf.free);
            long at = piece * PIECE;
            int n = (int) Math.min(PIECE, bytes - at);
            parallel(n / 4, (lo, hi) -> sink.take(b.duplicate().order(b.order()).position(4 * lo).limit(4 * hi).slice().order(b.order()),
                    at + 4L * lo));
        }
    }

    private void startDownload(CUdeviceptr src, long bytes, long piece) {
        GpuDevice.PinnedBuffer buf = pieces[(int) (piece % 2)];
        buf.ensure(PIECE);
        long at = piece * PIECE;
        cuMemcpyDtoHAsync(buf.host, src.withByteOffset(at), Math.min(PIECE, bytes - at), gpu.copies);
        cuEventRecord(buf.free, gpu.copies);
    }

    private interface Range {
        void run(int lo, int hi);
    }

    /** Runs body over [0, n) in a few parts on the copy threads (one part when n is small). */
    private void parallel(int n, Range body) throws InterruptedException {
        int parts = n < (1 << 18) ? 1 : 8;
        if (parts == 1) {
            body.run(0, n);
            return;
        }
        List<Future<?>> running = new ArrayList<>();
        for (int q = 0; q < parts; q++) {
            int lo = (int) ((long) n * q / parts), hi = (int) ((long) n * (q + 1) / parts);
            running.add(copiers.submit(() -> body.run(lo, hi)));
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("copy to or from pinned memory failed", e.getCause());
            }
        }
    }

    private double elapsed() {
        cuEventSynchronize(gpu.end);
        float[] ms = new float[1];
        cuEventElapsedTime(ms, gpu.start, gpu.end);
        return ms[0];
    }

    private static float[] concatFloats(List<float[]> parts, int length) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        float[] out = new float[length];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static int[] concatInts(List<int[]> parts, int length) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int[] out = new int[length];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
