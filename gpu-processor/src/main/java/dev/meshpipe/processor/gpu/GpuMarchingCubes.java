package dev.meshpipe.processor.gpu;

import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.MeshJob;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * <p>Where a vertex rounds onto a grid point (vertices must then be merged) the job runs on the
 * CPU's merging path instead, as the CPU's own fast path does. A device error (out of memory, a
 * failed launch) resets the device and either runs the job on the CPU or fails it with
 * {@code GPU_ERROR}, as configured.
 */
public final class GpuMarchingCubes implements MeshJob.Extractor {
    private static final Logger log = LoggerFactory.getLogger(GpuMarchingCubes.class);
    private static final int CHUNK = 32;
    private static final int SCAN_FANOUT = 32;
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
                default -> throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "MESHPIPE_GPU_ERRORS must be cpu or fail, got '" + s + "'");
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
    private final GpuDevice.Buffer chunkV;
    private final GpuDevice.Buffer chunkT;
    private final GpuDevice.Buffer levels;
    private final GpuDevice.Buffer positions;
    private final GpuDevice.Buffer triangles;
    private final GpuDevice.Buffer snapped;
    private final GpuDevice.PinnedBuffer staging;

    private GpuMarchingCubes(GpuDevice gpu, int cpuThreads, OnError onError, int slabCellsOverride) {
        this.gpu = gpu;
        this.cpuThreads = cpuThreads;
        this.onError = onError;
        this.slabCellsOverride = slabCellsOverride;
        synchronized (gpu) {
            gpu.makeCurrent();
            vol = gpu.buffer();
            flags = gpu.buffer();
            chunkV = gpu.buffer();
            chunkT = gpu.buffer();
            levels = gpu.buffer();
            positions = gpu.buffer();
            triangles = gpu.buffer();
            snapped = gpu.buffer();
            staging = gpu.pinnedBuffer();
        }
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
                throw new MeshpipeException(ErrorCode.GPU_ERROR, "the GPU failed on this volume: " + why);
            }
            log.warn("GPU error ({}); this job runs on the CPU", why);
            return new MeshJob.Extraction(MarchingCubes.extract(v, iso, closed, cpuThreads), "cpu (after a GPU error)");
        }
        if (t.mesh() == null) {
            // A vertex rounded onto a grid point: such vertices must be merged, which the CPU's general path does.
            return new MeshJob.Extraction(MarchingCubes.extract(v, iso, closed, cpuThreads), "cpu (vertices needed merging)");
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
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "isovalue must be finite");
        }
        synchronized (gpu) {
            gpu.makeCurrent();
            return run(v, iso, closed);
        }
    }

    private Timed run(Volume v, double iso, boolean closed) {
        long t0 = System.nanoTime();
        int nx = v.nx(), ny = v.ny(), nz = v.nz();
        int o = closed ? 1 : 0;
        int gx = nx + 2 * o, gy = ny + 2 * o, gz = nz + 2 * o;
        if (gx < 2 || gy < 2 || gz < 2) {
            return new Timed(Mesh.empty(), 0, 0, 0, 0, 0);
        }
        float f = (float) iso;
        float isoF = (double) f < iso ? Math.nextUp(f) : f;
        int above = v.objectAbove() ? 1 : 0;
        double[] s = v.spacing();
        long segments = (gx + CHUNK - 1) / CHUNK;
        int slabCells = slabCells(nx, ny, gx, gy, gz, segments);
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

            long points = (long) gx * gy * kCount;
            long chunks = segments * gy * kCount;
            long cellChunks = segments * gy * (kCount - 1);
            boolean last = k1 == gz - 1;
            long ownedChunks = last ? chunks : cellChunks;
            flags.ensure(points);
            // One extra zero entry: after the exclusive scan it holds the total.
            chunkV.ensure(8 * (chunks + 1));
            chunkT.ensure(8 * (chunks + 1));
            cuMemsetD8(chunkV.ptr.withByteOffset(8 * chunks), (byte) 0, 8);
            cuMemsetD8(chunkT.ptr.withByteOffset(8 * chunks), (byte) 0, 8);
            levels.ensure(8 * levelSpace(chunks + 1));

            cuEventRecord(gpu.start, null);
            gpu.launch("mc_flags", points, vol, nx, ny, nzLoc, zLo, o, gx, gy, gz, k0, kCount, isoF, above, flags);
            gpu.launch("mc_count", chunks, flags, gx, gy, kCount, chunkV, chunkT);
            scan(chunkV.ptr, chunks + 1);
            scan(chunkT.ptr, chunks + 1);
            cuEventRecord(gpu.end, null);
            kernelMs += elapsed();
            long tCount = readLong(chunkT.ptr.withByteOffset(8 * chunks));
            long ownedV = readLong(chunkV.ptr.withByteOffset(8 * ownedChunks));
            if (3 * (vBase + ownedV) > Integer.MAX_VALUE - 8 || 3 * (tTotal + tCount) > Integer.MAX_VALUE - 8) {
                throw new MeshpipeException(ErrorCode.VOLUME_TOO_LARGE, "the surface has more triangles than one mesh can hold;"
                        + " use a coarser volume or another isovalue");
            }
            positions.ensure(12 * ownedV);
            triangles.ensure(12 * tCount);
            cuEventRecord(gpu.start, null);
            gpu.launch("mc_vertices", ownedChunks, vol, nx, ny, nzLoc, zLo, o, gx, gy, gz, k0, kCount, isoF, above, iso,
                    s[0], s[1], s[2], flags, chunkV, ownedChunks, positions, snapped);
            gpu.launch("mc_triangles", cellChunks, flags, gx, gy, chunkV, chunkT, cellChunks, vBase, 1 - above, triangles);
            cuEventRecord(gpu.end, null);
            gpu.synchronize();
            kernelMs += elapsed();

            long d0 = System.nanoTime();
            float[] p = new float[(int) (3 * ownedV)];
            download(positions.ptr, 4L * p.length, (b, at, n) -> b.asFloatBuffer().get(p, (int) (at / 4), (int) (n / 4)));
            int[] t = new int[(int) (3 * tCount)];
            download(triangles.ptr, 4L * t.length, (b, at, n) -> b.asIntBuffer().get(t, (int) (at / 4), (int) (n / 4)));
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
        long perLayer = (long) gx * gy + 16L * segments * gy + 4L * nx * ny + 16L * segments * gy / (SCAN_FANOUT - 1) + 64;
        long held = vol.bytes + flags.bytes + chunkV.bytes + chunkT.bytes + levels.bytes + positions.bytes + triangles.bytes;
        long budget = (long) ((gpu.freeMemory() + held) * SLAB_SHARE);
        long layers = budget / perLayer - 2;
        if (layers < 1) {
            throw new CudaException("CUDA_ERROR_OUT_OF_MEMORY: not even one layer of this volume fits the GPU");
        }
        return (int) Math.min(layers, gz - 1);
    }

    /** Space for every level of sums in {@link #scan}. */
    private static long levelSpace(long n) {
        long total = 0;
        for (long m = n; m > 1; ) {
            m = (m + SCAN_FANOUT - 1) / SCAN_FANOUT;
            total += m;
        }
        return Math.max(total, 1);
    }

    /** Exclusive prefix sums of n u64 values in place, level by level in the levels buffer (no host round trip). */
    private void scan(CUdeviceptr data, long n) {
        scanLevel(data, n, levels.ptr);
    }

    private void scanLevel(CUdeviceptr data, long n, CUdeviceptr sums) {
        long m = (n + SCAN_FANOUT - 1) / SCAN_FANOUT;
        gpu.launch("mc_scan_reduce", m, data, n, sums);
        if (m == 1) {
            cuMemsetD8(sums, (byte) 0, 8);
        } else {
            scanLevel(sums, m, sums.withByteOffset(8 * m));
        }
        gpu.launch("mc_scan_down", m, data, n, sums);
    }

    private static long readLong(CUdeviceptr at) {
        long[] v = new long[1];
        cuMemcpyDtoH(Pointer.to(v), at, 8);
        return v[0];
    }

    private void upload(float[] data, long from, long count) {
        long bytes = 4 * count;
        ByteBuffer b = staging.ensure(Math.max(bytes, 4));
        b.asFloatBuffer().put(data, (int) from, (int) count);
        cuMemcpyHtoD(vol.ensure(Math.max(bytes, 4)), staging.host, bytes);
    }

    private interface Sink {
        void take(ByteBuffer b, long at, long n);
    }

    /** Copies device memory to the host through the pinned staging buffer, a piece at a time. */
    private void download(CUdeviceptr src, long bytes, Sink sink) {
        long piece = Math.max(staging.bytes, 1 << 20);
        for (long at = 0; at < bytes; at += piece) {
            long n = Math.min(piece, bytes - at);
            ByteBuffer b = staging.ensure(n);
            cuMemcpyDtoH(staging.host, src.withByteOffset(at), n);
            sink.take(b, at, n);
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
