// The 6x16 GEMM micro-kernel: an AVX2/FMA variant (12 ymm accumulators, one broadcast of A and two loads
// of B per k, the layout of BLIS's Haswell sgemm kernel) and a portable variant for other CPUs. The
// variant is picked once by CPU feature detection, so one binary runs everywhere and results are
// bit-identical for a given binary on a given CPU.
#include "CKernels.h"

#include <immintrin.h>
#include <stddef.h>

typedef void (*micro_kernel_fn)(long, const float *, const float *, float *, long, long, long, float, float);

/// Writes a computed tile (row-major, NR floats a row) into C with alpha and beta, keeping only mr x nr.
static void store_tile(const float *tile, float *c, long ldc, long mr, long nr, float alpha, float beta) {
    for (long i = 0; i < mr; i++) {
        float *row = c + i * ldc;
        const float *t = tile + i * MURMUR_GEMM_NR;
        if (beta == 0.0f) {
            for (long j = 0; j < nr; j++) row[j] = alpha * t[j];
        } else {
            for (long j = 0; j < nr; j++) row[j] = alpha * t[j] + beta * row[j];
        }
    }
}

static void micro_kernel_portable(long depth, const float *a, const float *b, float *c, long ldc, long mr,
                                  long nr, float alpha, float beta) {
    float tile[MURMUR_GEMM_MR * MURMUR_GEMM_NR] = {0};
    for (long k = 0; k < depth; k++) {
        for (int i = 0; i < MURMUR_GEMM_MR; i++) {
            const float ai = a[i];
            for (int j = 0; j < MURMUR_GEMM_NR; j++) tile[i * MURMUR_GEMM_NR + j] += ai * b[j];
        }
        a += MURMUR_GEMM_MR;
        b += MURMUR_GEMM_NR;
    }
    store_tile(tile, c, ldc, mr, nr, alpha, beta);
}

#if defined(__x86_64__)
#define STEP(A, B)                                                                                         \
    do {                                                                                                   \
        const __m256 b0 = _mm256_load_ps(B);                                                               \
        const __m256 b1 = _mm256_load_ps((B) + 8);                                                         \
        __m256 ai = _mm256_broadcast_ss((A) + 0);                                                          \
        c00 = _mm256_fmadd_ps(ai, b0, c00); c01 = _mm256_fmadd_ps(ai, b1, c01);                            \
        ai = _mm256_broadcast_ss((A) + 1);                                                                 \
        c10 = _mm256_fmadd_ps(ai, b0, c10); c11 = _mm256_fmadd_ps(ai, b1, c11);                            \
        ai = _mm256_broadcast_ss((A) + 2);                                                                 \
        c20 = _mm256_fmadd_ps(ai, b0, c20); c21 = _mm256_fmadd_ps(ai, b1, c21);                            \
        ai = _mm256_broadcast_ss((A) + 3);                                                                 \
        c30 = _mm256_fmadd_ps(ai, b0, c30); c31 = _mm256_fmadd_ps(ai, b1, c31);                            \
        ai = _mm256_broadcast_ss((A) + 4);                                                                 \
        c40 = _mm256_fmadd_ps(ai, b0, c40); c41 = _mm256_fmadd_ps(ai, b1, c41);                            \
        ai = _mm256_broadcast_ss((A) + 5);                                                                 \
        c50 = _mm256_fmadd_ps(ai, b0, c50); c51 = _mm256_fmadd_ps(ai, b1, c51);                            \
    } while (0)

__attribute__((target("avx2,fma")))
static void micro_kernel_avx2(long depth, const float *a, const float *b, float *c, long ldc, long mr, long nr,
                              float alpha, float beta) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps();
    __m256 c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps();
    __m256 c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    long k = 0;
    for (; k + 4 <= depth; k += 4) {
        _mm_prefetch((const char *)(b + 16 * 8), _MM_HINT_T0);
        STEP(a, b);
        STEP(a + 6, b + 16);
        STEP(a + 12, b + 32);
        STEP(a + 18, b + 48);
        a += 24;
        b += 64;
    }
    for (; k < depth; k++) {
        STEP(a, b);
        a += 6;
        b += 16;
    }
    const __m256 alphas = _mm256_set1_ps(alpha);
    if (mr == MURMUR_GEMM_MR && nr == MURMUR_GEMM_NR) {
        __m256 rows[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
        if (beta == 0.0f) {
            for (int i = 0; i < 6; i++) {
                _mm256_storeu_ps(c + i * ldc, _mm256_mul_ps(alphas, rows[2 * i]));
                _mm256_storeu_ps(c + i * ldc + 8, _mm256_mul_ps(alphas, rows[2 * i + 1]));
            }
        } else {
            // alpha * tile + beta * C, written as a product and a sum (not fused) to match store_tile.
            const __m256 betas = _mm256_set1_ps(beta);
            for (int i = 0; i < 6; i++) {
                float *row = c + i * ldc;
                _mm256_storeu_ps(row, _mm256_add_ps(_mm256_mul_ps(alphas, rows[2 * i]),
                                                    _mm256_mul_ps(betas, _mm256_loadu_ps(row))));
                _mm256_storeu_ps(row + 8, _mm256_add_ps(_mm256_mul_ps(alphas, rows[2 * i + 1]),
                                                        _mm256_mul_ps(betas, _mm256_loadu_ps(row + 8))));
            }
        }
        return;
    }
    float tile[MURMUR_GEMM_MR * MURMUR_GEMM_NR] __attribute__((aligned(32)));
    _mm256_store_ps(tile + 0, c00); _mm256_store_ps(tile + 8, c01);
    _mm256_store_ps(tile + 16, c10); _mm256_store_ps(tile + 24, c11);
    _mm256_store_ps(tile + 32, c20); _mm256_store_ps(tile + 40, c21);
    _mm256_store_ps(tile + 48, c30); _mm256_store_ps(tile + 56, c31);
    _mm256_store_ps(tile + 64, c40); _mm256_store_ps(tile + 72, c41);
    _mm256_store_ps(tile + 80, c50); _mm256_store_ps(tile + 88, c51);
    store_tile(tile, c, ldc, mr, nr, alpha, beta);
}
#endif

static micro_kernel_fn chosen_kernel = NULL;
static const char *chosen_name = NULL;

/// Runs before main (and before any Swift code), so the choice is made once with no data race.
__attribute__((constructor)) static void choose_micro_kernel(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        chosen_kernel = micro_kernel_avx2;
        chosen_name = "avx2-fma-6x16";
        return;
    }
#endif
    chosen_kernel = micro_kernel_portable;
    chosen_name = "portable-6x16";
}

void murmur_gemm_micro_kernel(long depth, const float *packedA, const float *packedB, float *c, long ldc, long mr,
                              long nr, float alpha, float beta) {
    chosen_kernel(depth, packedA, packedB, c, ldc, mr, nr, alpha, beta);
}

const char *murmur_gemm_micro_kernel_name(void) { return chosen_name; }
