// Just enough of CUDA for marching_cubes.cu to compile as plain C++ and run on the CPU, one
// "thread" after another. The kernels use no shared memory and no synchronisation, so running
// their threads in sequence gives what the GPU gives. Used only by emulate.cpp (tests).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#define __global__
#define __device__
#define __constant__
#define __forceinline__ inline

struct dim3 {
    unsigned int x = 0, y = 0, z = 0;
};
static dim3 blockIdx, threadIdx, blockDim;

template <class T> static inline T min(T a, T b) { return a < b ? a : b; }
static inline int __popc(unsigned int v) { return __builtin_popcount(v); }
static inline float __int_as_float(int v) { float f; std::memcpy(&f, &v, 4); return f; }
// x86-64 evaluates double arithmetic in SSE2 registers, correctly rounded, and g++ does not
// contract a * b + c into an FMA unless FMA instructions are enabled (they are not by default).
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline float __double2float_rn(double d) { return (float) d; }
static inline int atomicOr(int* at, int v) { int old = *at; *at |= v; return old; }
using std::isfinite;
