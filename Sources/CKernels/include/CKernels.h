// GEMM micro-kernels for Murmur's Kernels target. Everything above the micro-kernel (packing, blocking,
// threading) is Swift; only the register-tiled inner product lives here, because reaching the CPU's
// FMA units from a portable build needs per-function target attributes (see docs/architecture.md).
#ifndef MURMUR_CKERNELS_H
#define MURMUR_CKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Rows and columns of the register tile every micro-kernel variant computes.
enum { MURMUR_GEMM_MR = 6, MURMUR_GEMM_NR = 16 };

/// C[0..<mr, 0..<nr] = alpha * (Ap * Bp) + beta * C for one packed tile.
///
/// `packedA` holds `depth` groups of MR floats (column k of the 6-row panel), `packedB` holds `depth`
/// groups of NR floats (row k of the 16-column panel), both zero-padded past mr / nr. When `beta` is 0,
/// C is not read (so NaN or garbage there does not leak into the result). The variant is chosen once,
/// from the CPU's features, and stays fixed for the process.
void murmur_gemm_micro_kernel(long depth, const float *packedA, const float *packedB, float *c, long ldc,
                              long mr, long nr, float alpha, float beta);

/// The name of the micro-kernel variant this process runs: "avx2-fma-6x16" or "portable-6x16".
const char *murmur_gemm_micro_kernel_name(void);

#ifdef __cplusplus
}
#endif
#endif
