package dev.meshpipe.gpu;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxReset;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;

import dev.meshpipe.mesh.mc.CaseTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The process's one GPU: device 0's primary context, the kernel module and reusable buffers, in
 * the plain driver-API style of JCuda's samples. Not thread-safe: {@link GpuMarchingCubes} holds
 * its lock while it uses it, and makes the context current on its own thread first.
 */
final class GpuDevice {
    static final int BLOCK = 256;

    private static GpuDevice instance;
    private static RuntimeException unavailable;

    final String name;
    private final CUdevice device = new CUdevice();
    private CUcontext context;
    private CUmodule module;
    private final java.util.Map<String, CUfunction> functions = new java.util.HashMap<>();
    private final List<Buffer> buffers = new ArrayList<>();
    private final List<PinnedBuffer> pinned = new ArrayList<>();
    /** For timing kernels; events belong to a context, so they are made again after a reset. */
    CUevent start;
    CUevent end;
    /** Stream for transfers through pinned memory; a blocking stream, so it waits for kernels and they for it. */
    CUstream copies;
    /** CaseTable.flattened() on the device: per case the triangle count, then 15 edge slots. */
    private CUdeviceptr caseTable;

    /**
     * The GPU, opened on first use; throws {@link GpuUnavailableException} saying why there is none
     * (no driver, no device, an image the device cannot run), the same answer every time.
     */
    static synchronized GpuDevice open() {
        if (instance == null && unavailable == null) {
            try {
                CudaDriver.load();
                instance = new GpuDevice();
            } catch (LinkageError e) {
                String m = String.valueOf(e.getMessage());
                unavailable = new GpuUnavailableException(m.contains("libcuda.so.1")
                        ? "no NVIDIA driver (libcuda.so.1 not found)" : "cannot load the CUDA driver binding (" + firstLine(e) + ")", e);
            } catch (CudaException e) {
                unavailable = new GpuUnavailableException(firstLine(e), e);
            } catch (RuntimeException e) {
                unavailable = new GpuUnavailableException("cannot start the GPU: " + firstLine(e), e);
            }
        }
        if (unavailable != null) {
            throw unavailable;
        }
        return instance;
    }

    private GpuDevice() {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (count[0] == 0) {
            throw new GpuUnavailableException("no CUDA device", null);
        }
        cuDeviceGet(device, 0);
        byte[] n = new byte[256];
        cuDeviceGetName(n, n.length, device);
        int len = 0;
        while (len < n.length && n[len] != 0) {
            len++;
        }
        this.name = new String(n, 0, len, StandardCharsets.US_ASCII);
        start();
    }

    /** Retains the primary context and loads the module; again after a reset. */
    private void start() {
        context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        module = new CUmodule();
        cuModuleLoadData(module, KernelImage.bytes());
        functions.clear();
        int[] table = CaseTable.flattened();
        caseTable = new CUdeviceptr();
        cuMemAlloc(caseTable, 4L * table.length);
        cuMemcpyHtoD(caseTable, Pointer.to(table), 4L * table.length);
        copies = new CUstream();
        cuStreamCreate(copies, 0);
        start = new CUevent();
        end = new CUevent();
        cuEventCreate(start, 0);
        cuEventCreate(end, 0);
    }

    /** Peak memory bandwidth in bytes per second, from the memory clock and bus width (double data rate). */
    double peakBandwidth() {
        int[] clockKhz = new int[1];
        int[] busBits = new int[1];
        cuDeviceGetAttribute(clockKhz, jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, device);
        cuDeviceGetAttribute(busBits, jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, device);
        return 2.0 * clockKhz[0] * 1000 * busBits[0] / 8;
    }

    CUdeviceptr caseTable() {
        return caseTable;
    }

    void makeCurrent() {
        cuCtxSetCurrent(context);
    }

    /** Free device memory in bytes. */
    long freeMemory() {
        long[] free = new long[1];
        long[] total = new long[1];
        cuMemGetInfo(free, total);
        return free[0];
    }

    /**
     * When not null, each launch is timed on its own (and waited for): name to {device ms, host ms
     * spent in the launch call, launches}. For the benchmark's breakdown only: it serializes the GPU.
     */
    java.util.Map<String, double[]> profile;

    /** Launches kernel {@code name} with one thread per item, on the default stream. */
    void launch(String name, long threads, Object... args) {
        if (threads <= 0) {
            return;
        }
        CUfunction f = functions.computeIfAbsent(name, k -> {
            CUfunction fn = new CUfunction();
            cuModuleGetFunction(fn, module, k);
            return fn;
        });
        long blocks = (threads + BLOCK - 1) / BLOCK;
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many threads for one launch: " + threads);
        }
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = param(args[i]);
        }
        if (profile == null) {
            cuLaunchKernel(f, (int) blocks, 1, 1, BLOCK, 1, 1, 0, null, Pointer.to(params), null);
            return;
        }
        // Kernels that only write what they compute can run again: ten back-to-back launches
        // average out the start-up of one. mc_scan_down scans in place, so it runs once.
        int reps = name.equals("mc_scan_down") ? 1 : 10;
        cuCtxSynchronize();
        jcuda.driver.JCudaDriver.cuEventRecord(start, null);
        long t = System.nanoTime();
        cuLaunchKernel(f, (int) blocks, 1, 1, BLOCK, 1, 1, 0, null, Pointer.to(params), null);
        double hostMs = (System.nanoTime() - t) / 1e6;
        for (int r = 1; r < reps; r++) {
            cuLaunchKernel(f, (int) blocks, 1, 1, BLOCK, 1, 1, 0, null, Pointer.to(params), null);
        }
        jcuda.driver.JCudaDriver.cuEventRecord(end, null);
        jcuda.driver.JCudaDriver.cuEventSynchronize(end);
        float[] ms = new float[1];
        jcuda.driver.JCudaDriver.cuEventElapsedTime(ms, start, end);
        ms[0] /= reps;
        double[] sum = profile.computeIfAbsent(name, k -> new double[3]);
        sum[0] += ms[0];
        sum[1] += hostMs;
        sum[2]++;
    }

    private static Pointer param(Object a) {
        if (a instanceof Buffer b) {
            return Pointer.to(b.ptr);
        } else if (a instanceof CUdeviceptr p) {
            return Pointer.to(p);
        } else if (a instanceof Integer v) {
            return Pointer.to(new int[] {v});
        } else if (a instanceof Long v) {
            return Pointer.to(new long[] {v});
        } else if (a instanceof Float v) {
            return Pointer.to(new float[] {v});
        } else if (a instanceof Double v) {
            return Pointer.to(new double[] {v});
        }
        throw new IllegalArgumentException("kernel argument " + a);
    }

    void synchronize() {
        cuCtxSynchronize();
    }

    /** A device buffer that grows on demand and is kept for the next job. */
    Buffer buffer() {
        Buffer b = new Buffer();
        buffers.add(b);
        return b;
    }

    /** A page-locked host buffer for transfers, grown on demand and kept. */
    PinnedBuffer pinnedBuffer() {
        PinnedBuffer b = new PinnedBuffer();
        pinned.add(b);
        return b;
    }

    /**
     * After a device error the context may be unusable (a failed launch poisons it): frees
     * everything, resets the primary context and reloads the module, so the next job starts clean.
     */
    void reset() {
        for (Buffer b : buffers) {
            b.bytes = 0;
            b.ptr = new CUdeviceptr();
        }
        for (PinnedBuffer b : pinned) {
            b.bytes = 0;
            b.host = new Pointer();
            b.free = null;
        }
        try {
            cuDevicePrimaryCtxReset(device);
        } catch (CudaException ignored) {
            // the reset is what clears a sticky error; if it fails too, start() reports it
        }
        start();
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    final class Buffer {
        CUdeviceptr ptr = new CUdeviceptr();
        long bytes;

        /** Makes the buffer at least {@code n} bytes; its contents are not kept when it grows. */
        CUdeviceptr ensure(long n) {
            if (n > bytes) {
                if (bytes > 0) {
                    cuMemFree(ptr);
                    ptr = new CUdeviceptr();
                    bytes = 0;
                }
                cuMemAlloc(ptr, Math.max(n, 1));
                bytes = Math.max(n, 1);
            }
            return ptr;
        }
    }

    final class PinnedBuffer {
        Pointer host = new Pointer();
        long bytes;
        /** Recorded after the last copy that uses this buffer: synchronize on it before touching the buffer. */
        CUevent free;

        /** Makes the buffer at least {@code n} bytes (at most 2 GiB: a ByteBuffer's limit); its contents are not kept when it grows. */
        ByteBuffer ensure(long n) {
            if (free == null) {
                free = new CUevent();
                cuEventCreate(free, jcuda.driver.CUevent_flags.CU_EVENT_DISABLE_TIMING);
            }
            if (n > bytes) {
                if (bytes > 0) {
                    cuMemFreeHost(host);
                    host = new Pointer();
                    bytes = 0;
                }
                cuMemAllocHost(host, Math.max(n, 1));
                bytes = Math.max(n, 1);
            }
            return host.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
        }
    }
}
