// Just enough of CUDA for marching_cubes.cu to compile as plain C++ and run on the CPU. The
// kernels use warp shuffles (and no shared memory or __syncthreads), so a launch runs one warp at
// a time, its 32 lanes as coroutines on their own stacks (x86-64): a lane runs until it reaches a shuffle, leaves
// its value and yields; once all 32 have arrived, each goes on with the values of the others.
// Used only by emulate.cpp (tests).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>

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
template <class T> static inline T __ldg(const T* p) { return *p; }
// x86-64 evaluates double arithmetic in SSE2 registers, correctly rounded, and g++ does not
// contract a * b + c into an FMA unless FMA instructions are enabled (they are not by default).
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline float __double2float_rn(double d) { return (float) d; }
static inline int atomicOr(int* at, int v) { int old = *at; *at |= v; return old; }
using std::isfinite;

namespace warp {
constexpr int LANES = 32;
constexpr size_t STACK = 256 * 1024;

// Switches stacks: saves the callee-saved registers on the current stack and its pointer in
// *from, then continues on `to`. glibc's swapcontext does the same but also a system call (to save
// the signal mask) each time, which made emulating a real MRI volume take a minute.
extern "C" void warp_switch(void** from, void* to);
asm(R"(
    .text
    .globl warp_switch
    .type warp_switch, @function
warp_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size warp_switch, .-warp_switch
)");

struct State {
    void* scheduler;
    void* lanes[LANES];
    bool done[LANES];
    unsigned syncs[LANES];
    unsigned long long slots[2][LANES]; // two sets: a lane may deposit for the next shuffle before all have read this one
    int current = 0;
    const std::function<void()>* body = nullptr;
    char* stacks = nullptr;
};
static State S;

[[noreturn]] static void laneMain() {
    (*S.body)();
    S.done[S.current] = true;
    void* ignored;
    warp_switch(&ignored, S.scheduler);
    std::abort(); // never resumed
}

/** A fresh lane stack whose first switch "returns" into laneMain, 16-byte aligned as after a call. */
static void* freshStack(char* base) {
    auto* top = reinterpret_cast<void**>(base + STACK);
    *--top = nullptr;                                // laneMain's return address: it never returns
    *--top = reinterpret_cast<void*>(&laneMain);     // popped by warp_switch's ret
    for (int r = 0; r < 6; r++) *--top = nullptr;    // rbp, rbx, r12 to r15
    return top;
}

/** Deposits this lane's value and waits for the whole warp; returns the slot set to read. */
static int arrive(unsigned long long bits) {
    int l = S.current;
    int set = S.syncs[l]++ & 1;
    S.slots[set][l] = bits;
    warp_switch(&S.lanes[l], S.scheduler);
    return set;
}

template <class T> static unsigned long long bits(T v) { unsigned long long b = 0; std::memcpy(&b, &v, sizeof v); return b; }
template <class T> static T value(unsigned long long b) { T v; std::memcpy(&v, &b, sizeof v); return v; }

/** Runs `threads` threads (rounded up to whole blocks of 256, as a launch does) a warp at a time. */
static void launch(long long threads, const std::function<void()>& kernel) {
    if (S.stacks == nullptr) {
        S.stacks = static_cast<char*>(std::aligned_alloc(64, LANES * STACK));
    }
    S.body = &kernel;
    blockDim.x = 256;
    long long total = (threads + 255) / 256 * 256;
    for (long long w = 0; w * LANES < total; w++) {
        for (int l = 0; l < LANES; l++) {
            S.lanes[l] = freshStack(S.stacks + l * STACK);
            S.done[l] = false;
            S.syncs[l] = 0;
        }
        for (;;) {
            int finished = 0;
            for (int l = 0; l < LANES; l++) {
                if (!S.done[l]) {
                    long long t = w * LANES + l;
                    blockIdx.x = (unsigned) (t / 256);
                    threadIdx.x = (unsigned) (t % 256);
                    S.current = l;
                    warp_switch(&S.scheduler, S.lanes[l]);
                }
                finished += S.done[l] ? 1 : 0;
            }
            if (finished == LANES) break;
            for (int l = 0; l < LANES; l++) {
                if (S.done[l] || S.syncs[l] != S.syncs[0]) {
                    // On a GPU a full-mask shuffle that not every lane reaches is undefined behaviour.
                    std::fprintf(stderr, "warp %lld: lane %d left or skipped a shuffle the others wait at\n", w, l);
                    std::exit(4);
                }
            }
        }
    }
}
} // namespace warp

template <class T> static T __shfl_down_sync(unsigned, T v, unsigned d) {
    int l = warp::S.current, set = warp::arrive(warp::bits(v));
    int src = l + (int) d;
    return src < warp::LANES ? warp::value<T>(warp::S.slots[set][src]) : v;
}
template <class T> static T __shfl_up_sync(unsigned, T v, unsigned d) {
    int l = warp::S.current, set = warp::arrive(warp::bits(v));
    int src = l - (int) d;
    return src >= 0 ? warp::value<T>(warp::S.slots[set][src]) : v;
}
template <class T> static T __shfl_xor_sync(unsigned, T v, int m) {
    int l = warp::S.current, set = warp::arrive(warp::bits(v));
    return warp::value<T>(warp::S.slots[set][(l ^ m) & (warp::LANES - 1)]);
}
template <class T> static T __shfl_sync(unsigned, T v, int src) {
    int set = warp::arrive(warp::bits(v));
    return warp::value<T>(warp::S.slots[set][src & (warp::LANES - 1)]);
}
static inline unsigned __ballot_sync(unsigned, int predicate) {
    int set = warp::arrive(predicate ? 1 : 0);
    unsigned bitsOut = 0;
    for (int l = 0; l < warp::LANES; l++) bitsOut |= (unsigned) warp::S.slots[set][l] << l;
    return bitsOut;
}
static inline int __ffs(unsigned v) { return __builtin_ffs((int) v); }
static inline unsigned __reduce_add_sync(unsigned, unsigned v) {
    int set = warp::arrive(v);
    unsigned sum = 0;
    for (int l = 0; l < warp::LANES; l++) sum += (unsigned) warp::S.slots[set][l];
    return sum;
}
