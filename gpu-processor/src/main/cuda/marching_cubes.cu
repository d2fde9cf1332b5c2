// Marching cubes on the GPU, giving the same mesh as the CPU path (dev.meshpipe.mesh.mc):
// one vertex per crossed grid edge, shared by every cell that uses it, placed with the same double
// arithmetic and rounded to float once, and the same case table (uploaded by the host into c_table).
//
// The host (GpuMarchingCubes.java) runs the grid in z-slabs. For a slab whose cells lie in grid
// layers [k0, k1) it keeps one byte per grid point of layers [k0, k1] (flags: which of the point's
// +x, +y, +z edges are crossed, and its inside bit), and counts per "chunk" (32 points of one row):
//
//   mc_flags     one thread per point: the flags byte (reads the samples of the point and its
//                three forward neighbours)
//   mc_count     one thread per chunk: vertices (crossed edges) and triangles (of the chunk's cells)
//   mc_scan_*    exclusive prefix sums of the chunk counts, in levels of 32
//   mc_vertices  one thread per chunk: writes the chunk's vertices at its offset
//   mc_triangles one thread per chunk: walks its cells with the vertex counters of the four rows a
//                cell touches, so each edge's vertex id is known without any search or welding
//
// Vertices are numbered in point order (z, then y, then x), and at each point x-, y-, z-edge. The
// ids of layer k1 are counted here but its vertices are written by the next slab, whose numbering
// starts exactly there. Kernels use no shared memory and no block-level synchronisation, so the
// test suite also runs this file on the CPU (src/test/cuda/emulate.cpp).
//
// Inside: value >= iso when the object is above the isovalue, otherwise value >= iso or NaN (NaN is
// always outside the object). Grid points of the closed-border layer (o = 1) are outside. A crossing
// next to a non-finite sample lies halfway along its edge.

#define CHUNK 32
#define SCAN_FANOUT 32

typedef unsigned long long u64;
typedef long long i64;

// The case table, CaseTable.flattened(): per case the triangle count, then 15 edge slots.
__constant__ int c_table[256 * 16];

struct Grid {
    const float* vol; // samples of data layers [z0, z0 + nzLoc)
    int nx, ny, nzLoc, z0;
    int o;            // 1 with closed borders (a virtual outside layer around the data), else 0
    int gx, gy, gz;   // grid points per axis (data plus 2 * o)
    int kBase;        // grid layer of the first point layer this slab keeps flags for
    int kCount;       // point layers kept: [kBase, kBase + kCount)
    float isoF;       // the least float >= iso, so that v >= iso exactly when v >= isoF
    int above;
};

/** The sample at grid point (i, j, k), or NaN where that point is not in the data. */
__device__ __forceinline__ float sample(const Grid& g, int i, int j, int k) {
    int x = i - g.o, y = j - g.o, z = k - g.o - g.z0;
    if (x < 0 || x >= g.nx || y < 0 || y >= g.ny || z < 0 || z >= g.nzLoc) {
        return __int_as_float(0x7fc00000);
    }
    return g.vol[(i64) x + (i64) g.nx * ((i64) y + (i64) g.ny * z)];
}

__device__ __forceinline__ int insideBit(const Grid& g, float s) {
    // NaN (and the virtual border, which reads as NaN) is outside: below for scans, above otherwise.
    return g.above ? (s >= g.isoF ? 1 : 0) : ((s >= g.isoF || s != s) ? 1 : 0);
}

extern "C" __global__ void mc_flags(const float* vol, int nx, int ny, int nzLoc, int z0, int o, int gx, int gy, int gz,
                                    int kBase, int kCount, float isoF, int above, unsigned char* flags) {
    Grid g = {vol, nx, ny, nzLoc, z0, o, gx, gy, gz, kBase, kCount, isoF, above};
    i64 p = (i64) blockIdx.x * blockDim.x + threadIdx.x;
    i64 points = (i64) gx * gy * kCount;
    if (p >= points) {
        return;
    }
    int i = (int) (p % gx);
    int j = (int) ((p / gx) % gy);
    int k = kBase + (int) (p / ((i64) gx * gy));
    int b = insideBit(g, sample(g, i, j, k));
    int f = b << 3;
    if (i + 1 < gx && insideBit(g, sample(g, i + 1, j, k)) != b) f |= 1;
    if (j + 1 < gy && insideBit(g, sample(g, i, j + 1, k)) != b) f |= 2;
    if (k + 1 < gz && insideBit(g, sample(g, i, j, k + 1)) != b) f |= 4;
    flags[p] = (unsigned char) f;
}

__device__ __forceinline__ int edgeCount(unsigned char f) {
    return __popc(f & 7);
}

__device__ __forceinline__ int inBit(unsigned char f) {
    return (f >> 3) & 1;
}

/** Chunk c: row r = c / segments (a point row of the slab), points [s * CHUNK, s * CHUNK + CHUNK) of it. */
extern "C" __global__ void mc_count(const unsigned char* flags, int gx, int gy, int kCount, u64* chunkV, u64* chunkT) {
    int segments = (gx + CHUNK - 1) / CHUNK;
    i64 c = (i64) blockIdx.x * blockDim.x + threadIdx.x;
    i64 chunks = (i64) segments * gy * kCount;
    if (c >= chunks) {
        return;
    }
    i64 row = c / segments;
    int i0 = (int) (c % segments) * CHUNK;
    int i1 = min(i0 + CHUNK, gx);
    int j = (int) (row % gy);
    int kl = (int) (row / gy);
    const unsigned char* a = flags + row * gx;
    u64 v = 0;
    for (int i = i0; i < i1; i++) {
        v += edgeCount(a[i]);
    }
    u64 t = 0;
    if (j + 1 < gy && kl + 1 < kCount) {
        const unsigned char* b = a + gx;
        const unsigned char* cc = a + (i64) gx * gy;
        const unsigned char* d = cc + gx;
        for (int i = i0; i < min(i1, gx - 1); i++) {
            int cs = inBit(a[i]) | inBit(a[i + 1]) << 1 | inBit(b[i + 1]) << 2 | inBit(b[i]) << 3
                   | inBit(cc[i]) << 4 | inBit(cc[i + 1]) << 5 | inBit(d[i + 1]) << 6 | inBit(d[i]) << 7;
            t += c_table[16 * cs];
        }
    }
    chunkV[c] = v;
    chunkT[c] = t;
}

/** sums[t] = in[t * 32] + ... + in[t * 32 + 31] (within n). */
extern "C" __global__ void mc_scan_reduce(const u64* in, i64 n, u64* sums) {
    i64 t = (i64) blockIdx.x * blockDim.x + threadIdx.x;
    i64 from = t * SCAN_FANOUT;
    if (from >= n) {
        return;
    }
    i64 to = min(from + SCAN_FANOUT, n);
    u64 s = 0;
    for (i64 q = from; q < to; q++) {
        s += in[q];
    }
    sums[t] = s;
}

/** Replaces data[t * 32 ..] by its exclusive prefix sums, starting from bases[t] (already exclusive-scanned). */
extern "C" __global__ void mc_scan_down(u64* data, i64 n, const u64* bases) {
    i64 t = (i64) blockIdx.x * blockDim.x + threadIdx.x;
    i64 from = t * SCAN_FANOUT;
    if (from >= n) {
        return;
    }
    i64 to = min(from + SCAN_FANOUT, n);
    u64 run = bases[t];
    for (i64 q = from; q < to; q++) {
        u64 v = data[q];
        data[q] = run;
        run += v;
    }
}

/**
 * Where the isovalue crosses the edge from va (at coordinate ca) to vb (at cb), as the CPU path
 * computes it: in double, without fused multiply-adds, rounded to float once. Sets *snapped when
 * the result rounds onto an end of the edge (such vertices must be merged, which the CPU does).
 */
__device__ __forceinline__ float crossing(float va, float vb, double ca, double cb, double iso, int* snapped) {
    double t = (isfinite(va) && isfinite(vb)) ? __ddiv_rn(__dsub_rn(iso, (double) va), __dsub_rn((double) vb, (double) va)) : 0.5;
    float c = __double2float_rn(__dadd_rn(ca, __dmul_rn(t, __dsub_rn(cb, ca))));
    if (c == __double2float_rn(ca) || c == __double2float_rn(cb)) {
        atomicOr(snapped, 1);
    }
    return c;
}

__device__ __forceinline__ double coord(int gridIndex, int o, double spacing) {
    return __dmul_rn((double) (gridIndex - o), spacing);
}

/** Writes the vertices of chunks [0, ownedChunks): three floats per vertex at chunkV's offsets. */
extern "C" __global__ void mc_vertices(const float* vol, int nx, int ny, int nzLoc, int z0, int o, int gx, int gy, int gz,
                                       int kBase, int kCount, float isoF, int above, double iso,
                                       double sx, double sy, double sz, const unsigned char* flags,
                                       const u64* chunkV, i64 ownedChunks, float* positions, int* snapped) {
    Grid g = {vol, nx, ny, nzLoc, z0, o, gx, gy, gz, kBase, kCount, isoF, above};
    int segments = (gx + CHUNK - 1) / CHUNK;
    i64 c = (i64) blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= ownedChunks) {
        return;
    }
    i64 row = c / segments;
    int i0 = (int) (c % segments) * CHUNK;
    int i1 = min(i0 + CHUNK, gx);
    int j = (int) (row % gy);
    int k = kBase + (int) (row / gy);
    const unsigned char* f = flags + row * gx;
    u64 id = chunkV[c];
    float yj = __double2float_rn(coord(j, o, sy));
    float zk = __double2float_rn(coord(k, o, sz));
    for (int i = i0; i < i1; i++) {
        int e = f[i] & 7;
        if (e == 0) {
            continue;
        }
        float va = sample(g, i, j, k);
        float xi = __double2float_rn(coord(i, o, sx));
        if (e & 1) {
            float* p = positions + 3 * id++;
            p[0] = crossing(va, sample(g, i + 1, j, k), coord(i, o, sx), coord(i + 1, o, sx), iso, snapped);
            p[1] = yj;
            p[2] = zk;
        }
        if (e & 2) {
            float* p = positions + 3 * id++;
            p[0] = xi;
            p[1] = crossing(va, sample(g, i, j + 1, k), coord(j, o, sy), coord(j + 1, o, sy), iso, snapped);
            p[2] = zk;
        }
        if (e & 4) {
            float* p = positions + 3 * id++;
            p[0] = xi;
            p[1] = yj;
            p[2] = crossing(va, sample(g, i, j, k + 1), coord(k, o, sz), coord(k + 1, o, sz), iso, snapped);
        }
    }
}

/**
 * Writes the triangles of the cells in chunks [0, cellChunks) (the slab's cell layers): three
 * vertex ids each, made global with vBase, at chunkT's offsets. flip reverses the winding (when
 * the object lies below the isovalue, as the CPU does).
 */
extern "C" __global__ void mc_triangles(const unsigned char* flags, int gx, int gy, const u64* chunkV, const u64* chunkT,
                                        i64 cellChunks, i64 vBase, int flip, int* triangles) {
    int segments = (gx + CHUNK - 1) / CHUNK;
    i64 c = (i64) blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cellChunks) {
        return;
    }
    i64 row = c / segments;
    int j = (int) (row % gy);
    if (j + 1 >= gy) {
        return;
    }
    int seg = (int) (c % segments);
    int i0 = seg * CHUNK;
    int i1 = min(i0 + CHUNK, gx - 1);
    // The four point rows around the cell row: a = (j, k), b = (j + 1, k), cc = (j, k + 1), d = (j + 1, k + 1).
    i64 rowStride = segments;
    i64 layerStride = (i64) segments * gy;
    const unsigned char* a = flags + row * gx;
    const unsigned char* b = a + gx;
    const unsigned char* cc = a + (i64) gx * gy;
    const unsigned char* d = cc + gx;
    u64 va = chunkV[c], vb = chunkV[c + rowStride], vc = chunkV[c + layerStride], vd = chunkV[c + layerStride + rowStride];
    u64 t = chunkT[c];
    for (int i = i0; i < i1; i++) {
        unsigned char fa = a[i], fa1 = a[i + 1], fb = b[i], fb1 = b[i + 1];
        unsigned char fc = cc[i], fc1 = cc[i + 1], fd = d[i], fd1 = d[i + 1];
        int cs = inBit(fa) | inBit(fa1) << 1 | inBit(fb1) << 2 | inBit(fb) << 3
               | inBit(fc) << 4 | inBit(fc1) << 5 | inBit(fd1) << 6 | inBit(fd) << 7;
        int n = c_table[16 * cs];
        if (n > 0) {
            u64 va1 = va + edgeCount(fa), vb1 = vb + edgeCount(fb), vc1 = vc + edgeCount(fc);
            // Vertex ids of the cell's 12 edges (VTK numbering): at a point, x first, then y, then z.
            i64 e[12];
            e[0] = va;
            e[1] = va1 + (fa1 & 1);
            e[2] = vb;
            e[3] = va + (fa & 1);
            e[4] = vc;
            e[5] = vc1 + (fc1 & 1);
            e[6] = vd;
            e[7] = vc + (fc & 1);
            e[8] = va + (fa & 1) + ((fa >> 1) & 1);
            e[9] = va1 + (fa1 & 1) + ((fa1 >> 1) & 1);
            e[10] = vb + (fb & 1) + ((fb >> 1) & 1);
            e[11] = vb1 + (fb1 & 1) + ((fb1 >> 1) & 1);
            const int* tri = c_table + 16 * cs + 1;
            int* out = triangles + 3 * t;
            for (int q = 0; q < 3 * n; q += 3) {
                out[q] = (int) (vBase + e[tri[q]]);
                out[q + 1] = (int) (vBase + e[tri[q + (flip ? 2 : 1)]]);
                out[q + 2] = (int) (vBase + e[tri[q + (flip ? 1 : 2)]]);
            }
            t += n;
        }
        va += edgeCount(fa);
        vb += edgeCount(fb);
        vc += edgeCount(fc);
        vd += edgeCount(fd);
    }
}
