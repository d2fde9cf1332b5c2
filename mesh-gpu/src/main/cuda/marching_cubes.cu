// Marching cubes on the GPU, giving the same mesh as the CPU path (dev.meshpipe.mesh.mc):
// one vertex per crossed grid edge, shared by every cell that uses it, placed with the same double
// arithmetic and rounded to float once, and the same case table (CaseTable.flattened(), which the
// host uploads and passes as `table`).
//
// The host (GpuMarchingCubes.java) runs the grid in z-slabs. For a slab whose cells lie in grid
// layers [k0, k1) it keeps one byte per grid point of layers [k0, k1] (flags: which of the point's
// +x, +y, +z edges are crossed, and its inside bit) and two counts per "chunk" (32 points of one
// row): the vertices on the chunk's points and the triangles of its cells. A chunk is one warp,
// one lane per point, so neighbours along x come from the next lane and a chunk's sums and
// offsets come from warp shuffles, not from a thread looping over the row.
//
//   mc_classify    one warp per row segment of 8 layers: flags, and each chunk's vertex and
//                  triangle counts
//   mc_scan_*      exclusive prefix sums of the (vertex, triangle) count pairs, 1024 per warp
//   mc_generate    one warp per 32 chunks, working only on those with something to write: their
//                  vertices and triangles. A cell's vertex ids come from the (scanned) counts of
//                  the four point rows it touches, so there is no search and no welding.
//
// Vertices are numbered in point order (z, then y, then x), and at each point x-, y-, z-edge. The
// ids of layer k1 are counted here but its vertices are written by the next slab, whose numbering
// starts exactly there. Kernels use warp shuffles but no shared memory and no __syncthreads, so
// the test suite can run this file on the CPU one warp at a time (src/test/cuda/emulate.cpp).
// Every shuffle is reached by all 32 lanes of a warp: kernels leave only whole warps early.
//
// Inside: value >= iso when the object is above the isovalue, otherwise value >= iso or NaN (NaN is
// always outside the object). Grid points of the closed-border layer (o = 1) are outside. A crossing
// next to a non-finite sample lies halfway along its edge.

#define CHUNK 32
#define SCAN_TILE 1024
#define CLASSIFY_LAYERS 8
#define FULL_MASK 0xffffffffu

typedef unsigned long long u64;
typedef long long i64;

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

__device__ __forceinline__ int laneId() {
    return threadIdx.x & (CHUNK - 1);
}

/** The chunk of this thread's warp (blockDim is a multiple of 32, so a warp never spans two). */
__device__ __forceinline__ i64 warpChunk() {
    return (i64) blockIdx.x * (blockDim.x / CHUNK) + threadIdx.x / CHUNK;
}

/** Where chunk c lies: its point row of the slab, its segment in that row, the row's j and layer. */
struct ChunkPlace {
    unsigned row, seg, j, kl;
};

// 32-bit division (the host keeps a slab under 2^32 chunks): 64-bit division by a value known
// only at run time is a long instruction sequence, and every thread does it.
__device__ __forceinline__ ChunkPlace place(i64 c, int segments, int gy) {
    ChunkPlace p;
    unsigned cu = (unsigned) c;
    p.row = cu / (unsigned) segments;
    p.seg = cu - p.row * (unsigned) segments;
    p.kl = p.row / (unsigned) gy;
    p.j = p.row - p.kl * (unsigned) gy;
    return p;
}

/**
 * The sample at grid point (i, j, k), or NaN where that point is not in the data. Branch-free, so
 * that all of a thread's loads are in flight at once: off the data it reads sample 0 (the host
 * always uploads at least one) and discards it.
 */
__device__ __forceinline__ float sample(const Grid& g, int i, int j, int k) {
    int x = i - g.o, y = j - g.o, z = k - g.o - g.z0;
    bool in = x >= 0 && x < g.nx && y >= 0 && y < g.ny && z >= 0 && z < g.nzLoc;
    float v = g.vol[in ? (i64) x + (i64) g.nx * ((i64) y + (i64) g.ny * z) : 0];
    return in ? v : __int_as_float(0x7fc00000);
}

__device__ __forceinline__ int insideBit(const Grid& g, float s) {
    // NaN (and the virtual border, which reads as NaN) is outside: below for scans, above otherwise.
    return g.above ? (s >= g.isoF ? 1 : 0) : ((s >= g.isoF || s != s) ? 1 : 0);
}

/** The four sample columns around a column of cells: (i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1). */
struct Columns {
    const float* p[4]; // at data layer 0; sample 0 for a column off the data
    bool in[4];
};

__device__ __forceinline__ Columns columns(const Grid& g, int i, int j) {
    Columns c;
    for (int q = 0; q < 4; q++) {
        int x = i + (q & 1) - g.o, y = j + (q >> 1) - g.o;
        c.in[q] = x >= 0 && x < g.nx && y >= 0 && y < g.ny;
        c.p[q] = g.vol + (c.in[q] ? (i64) x + (i64) g.nx * y : 0);
    }
    return c;
}

/** The raw samples of the four columns at one grid layer: loaded now, looked at later (see insideOf). */
struct Layer {
    float v[4];
    bool zIn;
};

/** Loads the four columns at grid layer k. Branch-free, like sample(): off the data it reads sample 0. */
__device__ __forceinline__ Layer loadLayer(const Grid& g, const Columns& c, int k) {
    Layer l;
    int z = k - g.o - g.z0;
    l.zIn = z >= 0 && z < g.nzLoc;
    i64 off = l.zIn ? (i64) z * g.nx * g.ny : 0;
    for (int q = 0; q < 4; q++) {
        l.v[q] = c.p[q][c.in[q] && l.zIn ? off : 0];
    }
    return l;
}

/** Inside bits of a loaded layer's four columns, as bits 0 to 3 in the order of Columns. */
__device__ __forceinline__ int insideOf(const Grid& g, const Columns& c, const Layer& l) {
    int m = 0;
    for (int q = 0; q < 4; q++) {
        m |= insideBit(g, c.in[q] && l.zIn ? l.v[q] : __int_as_float(0x7fc00000)) << q;
    }
    return m;
}

__device__ __forceinline__ int edgeCount(unsigned f) {
    return __popc(f & 7);
}

__device__ __forceinline__ int inBit(unsigned f) {
    return (f >> 3) & 1;
}

/** The cell's case from the flags of its corners (a = (j, k), b = (j + 1, k), c = (j, k + 1), d = (j + 1, k + 1); 1 = at i + 1). */
__device__ __forceinline__ int cellCase(unsigned fa, unsigned fa1, unsigned fb, unsigned fb1, unsigned fc, unsigned fc1,
                                        unsigned fd, unsigned fd1) {
    return inBit(fa) | inBit(fa1) << 1 | inBit(fb1) << 2 | inBit(fb) << 3
         | inBit(fc) << 4 | inBit(fc1) << 5 | inBit(fd1) << 6 | inBit(fd) << 7;
}

/** Flags byte of point i of the row at `row` (0 past the row's end), without a branch. */
__device__ __forceinline__ unsigned flagAt(const unsigned char* row, int i, int gx) {
    return row[min(i, gx - 1)] & (i < gx ? 0xffu : 0u);
}

__device__ __forceinline__ u64 warpSum(u64 x) {
    for (int d = 16; d > 0; d >>= 1) {
        x += __shfl_xor_sync(FULL_MASK, x, d);
    }
    return x;
}

__device__ __forceinline__ u64 warpInclusiveSum(u64 x) {
    int lane = laneId();
    for (int d = 1; d < CHUNK; d <<= 1) {
        u64 y = __shfl_up_sync(FULL_MASK, x, d);
        if (lane >= d) x += y;
    }
    return x;
}

/**
 * Chunk c is point row c / segments of the slab, points [s * 32, s * 32 + 32) of it, s = c % segments.
 * Writes the flags of its points, and counts[2c] and counts[2c + 1]: its vertices (crossed edges
 * at its points) and its triangles (of its cells, which need the next row and the next layer).
 *
 * A warp takes one row segment through CLASSIFY_LAYERS layers: each lane walks up its column of
 * cells, so the samples of a layer are loaded once (as the top of one cell, then the bottom of the
 * next) and the index arithmetic is done once per column rather than per point.
 */
extern "C" __global__ void mc_classify(const float* vol, int nx, int ny, int nzLoc, int z0, int o, int gx, int gy, int gz,
                                       int kBase, int kCount, float isoF, int above, const int* __restrict__ table,
                                       unsigned char* flags, u64* counts) {
    Grid g = {vol, nx, ny, nzLoc, z0, o, gx, gy, gz, kBase, kCount, isoF, above};
    int segments = (gx + CHUNK - 1) / CHUNK;
    int groups = (kCount + CLASSIFY_LAYERS - 1) / CLASSIFY_LAYERS;
    i64 w = warpChunk();
    if (w >= (i64) segments * gy * groups) {
        return;
    }
    ChunkPlace at = place(w, segments, gy); // its "layer" is the group of layers
    int lane = laneId();
    int i = (int) at.seg * CHUNK + lane;
    int j = (int) at.j;
    int kl0 = (int) at.kl * CLASSIFY_LAYERS, kl1 = min(kl0 + CLASSIFY_LAYERS, kCount);
    Columns cols = columns(g, i, j);
    int bottom = insideOf(g, cols, loadLayer(g, cols, kBase + kl0));
    Layer upper = loadLayer(g, cols, kBase + kl0 + 1);
    for (int kl = kl0; kl < kl1; kl++) {
        int k = kBase + kl;
        int top = insideOf(g, cols, upper); // off the grid when k + 1 == gz: masked below
        // The next layer's loads go out before this one's work, so a warp has two layers in flight.
        upper = loadLayer(g, cols, k + 2);
        int f = 0;
        if (i < gx) {
            int in = bottom & 1;
            f = in << 3;
            if (i + 1 < gx && ((bottom >> 1) & 1) != in) f |= 1;
            if (j + 1 < gy && ((bottom >> 2) & 1) != in) f |= 2;
            if (k + 1 < gz && (top & 1) != in) f |= 4;
            flags[((i64) kl * gy + j) * gx + i] = (unsigned char) f;
        }
        int t = 0;
        if (i + 1 < gx && j + 1 < gy && kl + 1 < kCount) {
            // VTK's corner order: (i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1) at k, then at k + 1.
            int cs = (bottom & 1) | ((bottom >> 1) & 1) << 1 | ((bottom >> 3) & 1) << 2 | ((bottom >> 2) & 1) << 3
                   | (top & 1) << 4 | ((top >> 1) & 1) << 5 | ((top >> 3) & 1) << 6 | ((top >> 2) & 1) << 7;
            t = __ldg(table + 16 * cs);
        }
        // At most 96 vertices and 160 triangles per chunk: both sums fit one 32-bit word.
        unsigned both = __reduce_add_sync(FULL_MASK, (unsigned) (edgeCount(f) | t << 16));
        if (lane == 0) {
            i64 c = ((i64) kl * gy + j) * segments + at.seg;
            counts[2 * c] = both & 0xffff;
            counts[2 * c + 1] = both >> 16;
        }
        bottom = top;
    }
}

/** sums[tile] = the sum of count pairs [tile * 1024, tile * 1024 + 1024) (within n), one warp per tile. */
extern "C" __global__ void mc_scan_reduce(const u64* in, i64 n, u64* sums) {
    i64 tile = warpChunk();
    i64 from = tile * SCAN_TILE;
    if (from >= n) {
        return;
    }
    u64 v = 0, t = 0;
    for (int q = laneId(); q < SCAN_TILE; q += CHUNK) {
        if (from + q < n) {
            v += in[2 * (from + q)];
            t += in[2 * (from + q) + 1];
        }
    }
    v = warpSum(v);
    t = warpSum(t);
    if (laneId() == 0) {
        sums[2 * tile] = v;
        sums[2 * tile + 1] = t;
    }
}

/** Replaces the count pairs of tile t by their exclusive prefix sums, starting from bases[t] (already scanned). */
extern "C" __global__ void mc_scan_down(u64* data, i64 n, const u64* bases) {
    i64 tile = warpChunk();
    i64 from = tile * SCAN_TILE;
    if (from >= n) {
        return;
    }
    u64 runV = bases[2 * tile], runT = bases[2 * tile + 1];
    for (int q = 0; q < SCAN_TILE && from + q < n; q += CHUNK) {
        i64 e = from + q + laneId();
        u64 v = 0, t = 0;
        if (e < n) {
            v = data[2 * e];
            t = data[2 * e + 1];
        }
        u64 iv = warpInclusiveSum(v), it = warpInclusiveSum(t);
        if (e < n) {
            data[2 * e] = runV + iv - v;
            data[2 * e + 1] = runT + it - t;
        }
        runV += __shfl_sync(FULL_MASK, iv, CHUNK - 1);
        runT += __shfl_sync(FULL_MASK, it, CHUNK - 1);
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

/** One chunk of mc_generate, by all 32 lanes; v0 and t0 are its first vertex and triangle. */
__device__ void generateChunk(const Grid& g, i64 c, u64 v0, u64 t0, int segments, double iso, double sx, double sy, double sz,
                              const int* __restrict__ table, const unsigned char* flags, const u64* counts, i64 cellChunks,
                              i64 vBase, int flip, float* positions, int* triangles, int* snapped) {
    int gx = g.gx, gy = g.gy, o = g.o;
    int lane = laneId();
    ChunkPlace at = place(c, segments, gy);
    i64 row = at.row;
    int i = (int) at.seg * CHUNK + lane;
    int j = (int) at.j;
    int k = g.kBase + (int) at.kl;
    i64 layer = (i64) gx * gy;
    const unsigned char* a = flags + row * gx;
    bool cells = c < cellChunks && j + 1 < gy;
    i64 rowStride = segments, layerStride = (i64) segments * gy;
    // Everything this lane may need from memory, asked for at once: the four rows' flags, where
    // the other rows' vertices start, and the samples its edges may cross to (discarded unless used).
    unsigned fa = flagAt(a, i, gx), fb = 0, fc = 0, fd = 0;
    u64 vbBase = 0, vcBase = 0, vdBase = 0;
    if (cells) {
        fb = flagAt(a + gx, i, gx);
        fc = flagAt(a + layer, i, gx);
        fd = flagAt(a + layer + gx, i, gx);
        vbBase = counts[2 * (c + rowStride)];
        vcBase = counts[2 * (c + layerStride)];
        vdBase = counts[2 * (c + layerStride + rowStride)];
    }
    float s0 = sample(g, i, j, k), sx1 = sample(g, i + 1, j, k), sy1 = sample(g, i, j + 1, k), sz1 = sample(g, i, j, k + 1);
    unsigned four = fa | fb << 8 | fc << 16 | fd << 24;
    unsigned next = __shfl_down_sync(FULL_MASK, four, 1);
    if (lane == CHUNK - 1) {
        next = 0;
        if (cells && i + 1 < gx) { // the first point of the next chunk
            next = a[i + 1] | (unsigned) a[i + 1 + gx] << 8 | (unsigned) a[i + 1 + layer] << 16 | (unsigned) a[i + 1 + layer + gx] << 24;
        }
    }
    unsigned fa1 = next & 0xff, fb1 = (next >> 8) & 0xff, fc1 = (next >> 16) & 0xff, fd1 = next >> 24;
    int cs = 0, n = 0;
    if (cells && i + 1 < gx) {
        cs = cellCase(fa, fa1, fb, fb1, fc, fc1, fd, fd1);
        n = __ldg(table + 16 * cs);
    }
    // One scan gives each lane its offsets within the chunk: the vertices on the four rows before
    // its point and the triangles before its cell (8 bits each: at most 96 and 160 per chunk).
    u64 mine = (u64) edgeCount(fa) | (u64) edgeCount(fb) << 8 | (u64) edgeCount(fc) << 16 | (u64) edgeCount(fd) << 24
             | (u64) n << 32;
    u64 before = warpInclusiveSum(mine) - mine;

    int e = fa & 7;
    if (e != 0) {
        u64 id = v0 + (before & 0xff);
        float xi = __double2float_rn(coord(i, o, sx));
        float yj = __double2float_rn(coord(j, o, sy));
        float zk = __double2float_rn(coord(k, o, sz));
        if (e & 1) {
            float* p = positions + 3 * id++;
            p[0] = crossing(s0, sx1, coord(i, o, sx), coord(i + 1, o, sx), iso, snapped);
            p[1] = yj;
            p[2] = zk;
        }
        if (e & 2) {
            float* p = positions + 3 * id++;
            p[0] = xi;
            p[1] = crossing(s0, sy1, coord(j, o, sy), coord(j + 1, o, sy), iso, snapped);
            p[2] = zk;
        }
        if (e & 4) {
            float* p = positions + 3 * id++;
            p[0] = xi;
            p[1] = yj;
            p[2] = crossing(s0, sz1, coord(k, o, sz), coord(k + 1, o, sz), iso, snapped);
        }
    }
    if (n > 0) {
        u64 va = v0 + (before & 0xff);
        u64 vb = vbBase + ((before >> 8) & 0xff);
        u64 vc = vcBase + ((before >> 16) & 0xff);
        u64 vd = vdBase + ((before >> 24) & 0xff);
        u64 va1 = va + edgeCount(fa), vb1 = vb + edgeCount(fb), vc1 = vc + edgeCount(fc);
        // Vertex ids of the cell's 12 edges (VTK numbering): at a point, x first, then y, then z.
        i64 ed[12];
        ed[0] = va;
        ed[1] = va1 + (fa1 & 1);
        ed[2] = vb;
        ed[3] = va + (fa & 1);
        ed[4] = vc;
        ed[5] = vc1 + (fc1 & 1);
        ed[6] = vd;
        ed[7] = vc + (fc & 1);
        ed[8] = va + (fa & 1) + ((fa >> 1) & 1);
        ed[9] = va1 + (fa1 & 1) + ((fa1 >> 1) & 1);
        ed[10] = vb + (fb & 1) + ((fb >> 1) & 1);
        ed[11] = vb1 + (fb1 & 1) + ((fb1 >> 1) & 1);
        const int* tri = table + 16 * cs + 1;
        int* out = triangles + 3 * (t0 + (before >> 32));
        for (int q = 0; q < 3 * n; q += 3) {
            out[q] = (int) (vBase + ed[__ldg(tri + q)]);
            out[q + 1] = (int) (vBase + ed[__ldg(tri + q + (flip ? 2 : 1))]);
            out[q + 2] = (int) (vBase + ed[__ldg(tri + q + (flip ? 1 : 2))]);
        }
    }
}

/**
 * Chunks [0, ownedChunks): writes each chunk's vertices (three floats each, slab-local ids) and,
 * for chunks [0, cellChunks) (the slab's cell layers), its triangles: three vertex ids each, made
 * global with vBase. counts holds the exclusive sums, with the totals after the last chunk. flip
 * reverses the winding (when the object lies below the isovalue, as the CPU does).
 *
 * A warp looks at 32 chunks at once and works only on those with something to write: most of a
 * grid is far from the surface, and a warp per empty chunk would spend its time starting up.
 */
extern "C" __global__ void mc_generate(const float* vol, int nx, int ny, int nzLoc, int z0, int o, int gx, int gy, int gz,
                                       int kBase, int kCount, float isoF, int above, double iso,
                                       double sx, double sy, double sz, const int* __restrict__ table,
                                       const unsigned char* flags, const u64* counts, i64 ownedChunks, i64 cellChunks,
                                       i64 vBase, int flip, float* positions, int* triangles, int* snapped) {
    Grid g = {vol, nx, ny, nzLoc, z0, o, gx, gy, gz, kBase, kCount, isoF, above};
    int segments = (gx + CHUNK - 1) / CHUNK;
    i64 first = warpChunk() * CHUNK;
    if (first >= ownedChunks) {
        return;
    }
    int lane = laneId();
    i64 mineC = min(first + lane, ownedChunks - 1);
    u64 myV = counts[2 * mineC], myT = counts[2 * mineC + 1];
    bool busy = first + lane < ownedChunks && (counts[2 * mineC + 2] != myV || counts[2 * mineC + 3] != myT);
    unsigned pending = __ballot_sync(FULL_MASK, busy);
    while (pending != 0) {
        int src = __ffs(pending) - 1;
        pending &= pending - 1;
        generateChunk(g, first + src, __shfl_sync(FULL_MASK, myV, src), __shfl_sync(FULL_MASK, myT, src), segments, iso,
                      sx, sy, sz, table, flags, counts, cellChunks, vBase, flip, positions, triangles, snapped);
    }
}
