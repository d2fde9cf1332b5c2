// Runs marching_cubes.cu on the CPU (warp by warp, see cuda_shim.h) with the same slab-by-slab host steps as GpuMarchingCubes.java,
// so the kernels' logic is tested where no GPU exists (KernelEmulationTest).
//
// usage: emulate VOLUME.f32 NX NY NZ SX SY SZ ISO ABOVE CLOSED SLAB_CELLS TABLE OUT
//   VOLUME.f32  little-endian float32 samples, x fastest
//   TABLE       CaseTable.flattened() as text (256 x (count, 15 edge slots))
//   OUT         int32 snapped, int64 vertices, int64 triangles, float32 positions, int32 ids
#include "cuda_shim.h"
#include "../../main/cuda/marching_cubes.cu"

#include <cstdio>
#include <cstdlib>
#include <vector>

using warp::launch;

/** Exclusive scan of the count pairs data[0, n) in place, in tiles of SCAN_TILE, as the host does. */
static void scan(u64* data, i64 n) {
    i64 m = (n + SCAN_TILE - 1) / SCAN_TILE;
    std::vector<u64> sums(2 * m);
    launch(m * CHUNK, [&] { mc_scan_reduce(data, n, sums.data()); });
    if (m == 1) {
        sums[0] = sums[1] = 0;
    } else {
        scan(sums.data(), m);
    }
    launch(m * CHUNK, [&] { mc_scan_down(data, n, sums.data()); });
}

int main(int argc, char** argv) {
    if (argc != 14) {
        std::fprintf(stderr, "usage: emulate VOLUME NX NY NZ SX SY SZ ISO ABOVE CLOSED SLAB_CELLS TABLE OUT\n");
        return 2;
    }
    int nx = std::atoi(argv[2]), ny = std::atoi(argv[3]), nz = std::atoi(argv[4]);
    double sx = std::strtod(argv[5], nullptr), sy = std::strtod(argv[6], nullptr), sz = std::strtod(argv[7], nullptr);
    double iso = std::strtod(argv[8], nullptr);
    int above = std::atoi(argv[9]), closed = std::atoi(argv[10]), slabCells = std::atoi(argv[11]);
    std::vector<float> vol((size_t) nx * ny * nz);
    FILE* in = std::fopen(argv[1], "rb");
    if (!in || std::fread(vol.data(), 4, vol.size(), in) != vol.size()) return 3;
    std::fclose(in);
    FILE* tf = std::fopen(argv[12], "r");
    if (!tf) return 3;
    std::vector<int> table(256 * 16);
    for (int q = 0; q < 256 * 16; q++) if (std::fscanf(tf, "%d", &table[q]) != 1) return 3;
    std::fclose(tf);

    int o = closed ? 1 : 0;
    int gx = nx + 2 * o, gy = ny + 2 * o, gz = nz + 2 * o;
    float f = (float) iso;
    float isoF = (double) f < iso ? std::nextafter(f, INFINITY) : f;
    int snapped = 0;
    std::vector<float> positions;
    std::vector<int> triangles;
    i64 vBase = 0;
    for (int k0 = 0; gx >= 2 && gy >= 2 && k0 < gz - 1;) {
        int k1 = min(k0 + slabCells, gz - 1);
        int kCount = k1 - k0 + 1;
        // The samples of grid layers [k0, min(k1 + 1, gz - 1)]: z-edges of layer k1 reach one further.
        int zLo = std::max(0, k0 - o);
        int zHi = std::min(nz - 1, std::min(k1 + 1, gz - 1) - o);
        int nzLoc = std::max(0, zHi - zLo + 1);
        const float* slabVol = vol.data() + (size_t) zLo * nx * ny;
        i64 points = (i64) gx * gy * kCount;
        std::vector<unsigned char> flags(points);
        i64 segments = (gx + CHUNK - 1) / CHUNK;
        i64 chunks = segments * gy * kCount;
        i64 cellChunks = segments * gy * (kCount - 1);
        // One extra zero pair: after the exclusive scan it holds the totals.
        std::vector<u64> counts(2 * (chunks + 1));
        launch(segments * gy * ((kCount + CLASSIFY_LAYERS - 1) / CLASSIFY_LAYERS) * CHUNK, [&] {
            mc_classify(slabVol, nx, ny, nzLoc, zLo, o, gx, gy, gz, k0, kCount, isoF, above, table.data(), flags.data(), counts.data());
        });
        scan(counts.data(), chunks + 1);
        bool last = k1 == gz - 1;
        i64 ownedChunks = last ? chunks : cellChunks;
        u64 totalT = counts[2 * chunks + 1];
        u64 ownedV = counts[2 * ownedChunks];
        std::vector<float> pos(3 * ownedV);
        std::vector<int> tris(3 * totalT);
        launch(ownedChunks, [&] { // a warp per 32 chunks
            mc_generate(slabVol, nx, ny, nzLoc, zLo, o, gx, gy, gz, k0, kCount, isoF, above, iso, sx, sy, sz, table.data(),
                        flags.data(), counts.data(), ownedChunks, cellChunks, vBase, above ? 0 : 1, pos.data(), tris.data(), &snapped);
        });
        positions.insert(positions.end(), pos.begin(), pos.end());
        triangles.insert(triangles.end(), tris.begin(), tris.end());
        vBase += (i64) ownedV;
        k0 = k1;
    }
    FILE* out = std::fopen(argv[13], "wb");
    if (!out) return 3;
    i64 nv = (i64) positions.size() / 3, nt = (i64) triangles.size() / 3;
    std::fwrite(&snapped, 4, 1, out);
    std::fwrite(&nv, 8, 1, out);
    std::fwrite(&nt, 8, 1, out);
    std::fwrite(positions.data(), 4, positions.size(), out);
    std::fwrite(triangles.data(), 4, triangles.size(), out);
    std::fclose(out);
    return 0;
}
