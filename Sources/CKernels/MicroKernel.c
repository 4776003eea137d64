// The GEMM micro-kernels: an AVX-512 variant with a 12×32 register tile (24 zmm accumulators, two loads
// of B and twelve broadcasts of A per k, for CPUs with 32 vector registers), an AVX2/FMA 6×16 variant
// (12 ymm accumulators, the layout of BLIS's Haswell sgemm kernel) and a portable variant for other CPUs.
// The best supported variant is picked once by CPU feature detection, so one binary runs everywhere; every
// variant stays callable by index so the tests check each one the machine can run.
#include "CKernels.h"

#include <immintrin.h>
#include <stddef.h>

// alpha * t + beta * c is a product and a sum in every variant, never contracted into a fused one.
#pragma STDC FP_CONTRACT OFF

static void micro_kernel_portable(long depth, const float *a, long aps, const float *b, long brs, long bps,
                                  float *c, long ldc, long mr, long nr, float alpha, float beta) {
    (void)aps;
    (void)bps;
    float tile[MURMUR_GEMM_MR * MURMUR_GEMM_NR] = {0};
    for (long k = 0; k < depth; k++) {
        const float *row = b + k * brs;
        for (int i = 0; i < MURMUR_GEMM_MR; i++) {
            const float ai = a[i];
            for (long j = 0; j < nr; j++) tile[i * MURMUR_GEMM_NR + j] += ai * row[j];
        }
        a += MURMUR_GEMM_MR;
    }
    for (long i = 0; i < mr; i++) {
        float *out = c + i * ldc;
        const float *t = tile + i * MURMUR_GEMM_NR;
        if (beta == 0.0f) {
            for (long j = 0; j < nr; j++) out[j] = alpha * t[j];
        } else {
            for (long j = 0; j < nr; j++) out[j] = alpha * t[j] + beta * out[j];
        }
    }
}

#if defined(__x86_64__)
#define STEP(A, B0, B1)                                                                                    \
    do {                                                                                                   \
        const __m256 b0 = (B0), b1 = (B1);                                                                 \
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
static void micro_kernel_avx2(long depth, const float *a, long aps, const float *b, long brs, long bps,
                              float *c, long ldc, long mr, long nr, float alpha, float beta) {
    (void)aps;
    (void)bps;
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps();
    __m256 c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps();
    __m256 c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    if (nr == MURMUR_GEMM_NR) {
        long k = 0;
        for (; k + 4 <= depth; k += 4) {
            STEP(a, _mm256_loadu_ps(b), _mm256_loadu_ps(b + 8));
            STEP(a + 6, _mm256_loadu_ps(b + brs), _mm256_loadu_ps(b + brs + 8));
            STEP(a + 12, _mm256_loadu_ps(b + 2 * brs), _mm256_loadu_ps(b + 2 * brs + 8));
            STEP(a + 18, _mm256_loadu_ps(b + 3 * brs), _mm256_loadu_ps(b + 3 * brs + 8));
            a += 24;
            b += 4 * brs;
        }
        for (; k < depth; k++) {
            STEP(a, _mm256_loadu_ps(b), _mm256_loadu_ps(b + 8));
            a += 6;
            b += brs;
        }
    } else {
        // Fewer than 16 live columns: masked loads, so B read in place is never read past its edge.
        int lanes[16];
        for (int j = 0; j < 16; j++) lanes[j] = j < nr ? -1 : 0;
        const __m256i m0 = _mm256_loadu_si256((const __m256i *)lanes);
        const __m256i m1 = _mm256_loadu_si256((const __m256i *)(lanes + 8));
        for (long k = 0; k < depth; k++) {
            STEP(a, _mm256_maskload_ps(b, m0), _mm256_maskload_ps(b + 8, m1));
            a += 6;
            b += brs;
        }
    }
    const __m256 alphas = _mm256_set1_ps(alpha);
    __m256 rows[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
    if (mr == MURMUR_GEMM_MR && nr == MURMUR_GEMM_NR) {
        if (beta == 0.0f) {
            for (int i = 0; i < 6; i++) {
                _mm256_storeu_ps(c + i * ldc, _mm256_mul_ps(alphas, rows[2 * i]));
                _mm256_storeu_ps(c + i * ldc + 8, _mm256_mul_ps(alphas, rows[2 * i + 1]));
            }
        } else {
            // alpha * tile + beta * C, written as a product and a sum (not fused), as in every variant.
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
    for (int i = 0; i < 6; i++) {
        _mm256_store_ps(tile + 16 * i, _mm256_mul_ps(alphas, rows[2 * i]));
        _mm256_store_ps(tile + 16 * i + 8, _mm256_mul_ps(alphas, rows[2 * i + 1]));
    }
    for (long i = 0; i < mr; i++) {
        float *out = c + i * ldc;
        const float *t = tile + i * MURMUR_GEMM_NR;
        if (beta == 0.0f) {
            for (long j = 0; j < nr; j++) out[j] = t[j];
        } else {
            for (long j = 0; j < nr; j++) out[j] = t[j] + beta * out[j];
        }
    }
}

// One AVX-512 tile of RP A panels (6·RP rows) by CP sixteen-column panels, RP, CP ∈ {1, 2}. The loops
// over the constant bounds unroll, so the accumulators live in registers (24 of the 32 at 2×2).
__attribute__((target("avx512f"), always_inline))
static inline void avx512_tile(const int RP, const int CP, long depth, const float *a, long aps, const float *b,
                               long brs, long bps, float *c, long ldc, long mr, long nr, float alpha, float beta) {
    __m512 acc[12][2];
    for (int i = 0; i < 6 * RP; i++)
        for (int j = 0; j < CP; j++) acc[i][j] = _mm512_setzero_ps();
    const long lastColumns = nr - 16 * (CP - 1);
    const __mmask16 lastMask = lastColumns >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lastColumns) - 1);
    const float *a0 = a, *a1 = a + aps;
    const float *b0 = b, *b1 = b + bps;
    for (long k = 0; k < depth; k++) {
        __m512 bv[2];
        if (CP == 1) {
            bv[0] = _mm512_maskz_loadu_ps(lastMask, b0);
        } else {
            bv[0] = _mm512_loadu_ps(b0);
            bv[1] = _mm512_maskz_loadu_ps(lastMask, b1);
        }
        for (int i = 0; i < 6; i++) {
            const __m512 ai = _mm512_set1_ps(a0[i]);
            for (int j = 0; j < CP; j++) acc[i][j] = _mm512_fmadd_ps(ai, bv[j], acc[i][j]);
        }
        if (RP == 2) {
            for (int i = 0; i < 6; i++) {
                const __m512 ai = _mm512_set1_ps(a1[i]);
                for (int j = 0; j < CP; j++) acc[6 + i][j] = _mm512_fmadd_ps(ai, bv[j], acc[6 + i][j]);
            }
        }
        a0 += 6;
        a1 += 6;
        b0 += brs;
        b1 += brs;
    }
    const __m512 alphas = _mm512_set1_ps(alpha), betas = _mm512_set1_ps(beta);
    for (int i = 0; i < 6 * RP; i++) {
        if (i >= mr) break;
        float *row = c + i * ldc;
        for (int j = 0; j < CP; j++) {
            const __mmask16 mask = j == CP - 1 ? lastMask : (__mmask16)0xFFFF;
            __m512 v = _mm512_mul_ps(alphas, acc[i][j]);
            if (beta != 0.0f) v = _mm512_add_ps(v, _mm512_mul_ps(betas, _mm512_maskz_loadu_ps(mask, row + 16 * j)));
            _mm512_mask_storeu_ps(row + 16 * j, mask, v);
        }
    }
}

__attribute__((target("avx512f")))
static void micro_kernel_avx512(long depth, const float *a, long aps, const float *b, long brs, long bps,
                                float *c, long ldc, long mr, long nr, float alpha, float beta) {
    if (mr > 6) {
        if (nr > 16) avx512_tile(2, 2, depth, a, aps, b, brs, bps, c, ldc, mr, nr, alpha, beta);
        else avx512_tile(2, 1, depth, a, aps, b, brs, bps, c, ldc, mr, nr, alpha, beta);
    } else {
        if (nr > 16) avx512_tile(1, 2, depth, a, aps, b, brs, bps, c, ldc, mr, nr, alpha, beta);
        else avx512_tile(1, 1, depth, a, aps, b, brs, bps, c, ldc, mr, nr, alpha, beta);
    }
}
#endif

typedef void (*micro_kernel_fn)(long, const float *, long, const float *, long, long, float *, long, long, long,
                                float, float);

static const struct {
    micro_kernel_fn kernel;
    const char *name;
    long rows, columns;
} variants[MURMUR_GEMM_VARIANTS] = {
    {micro_kernel_portable, "portable-6x16", 6, 16},
#if defined(__x86_64__)
    {micro_kernel_avx2, "avx2-fma-6x16", 6, 16},
    {micro_kernel_avx512, "avx512f-12x32", 12, 32},
#else
    {NULL, "avx2-fma-6x16", 6, 16},
    {NULL, "avx512f-12x32", 12, 32},
#endif
};

static int supported[MURMUR_GEMM_VARIANTS];
static int chosen = MURMUR_GEMM_PORTABLE;

/// Runs before main (and before any Swift code), so the choice is made once with no data race.
__attribute__((constructor)) static void choose_micro_kernel(void) {
    supported[MURMUR_GEMM_PORTABLE] = 1;
#if defined(__x86_64__)
    __builtin_cpu_init();
    supported[MURMUR_GEMM_AVX2] = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    supported[MURMUR_GEMM_AVX512] = __builtin_cpu_supports("avx512f");
#endif
    for (int v = 0; v < MURMUR_GEMM_VARIANTS; v++)
        if (supported[v]) chosen = v;
}

void murmur_gemm_kernel(int variant, long depth, const float *packedA, long aPanelStride, const float *b,
                        long bRowStride, long bPanelStride, float *c, long ldc, long mr, long nr, float alpha,
                        float beta) {
    variants[variant].kernel(depth, packedA, aPanelStride, b, bRowStride, bPanelStride, c, ldc, mr, nr, alpha, beta);
}

void murmur_gemm_block(int variant, long rows, long columns, long depth, const float *packedA, const float *b,
                       long bRowStride, long bPanelStride, float *c, long ldc, float alpha, float beta) {
    const micro_kernel_fn kernel = variants[variant].kernel;
    const long tileRows = variants[variant].rows, tileColumns = variants[variant].columns;
    for (long jr = 0; jr < columns; jr += tileColumns) {
        const long nr = columns - jr < tileColumns ? columns - jr : tileColumns;
        const float *bTile = b + (jr / MURMUR_GEMM_NR) * bPanelStride;
        for (long ir = 0; ir < rows; ir += tileRows) {
            const long mr = rows - ir < tileRows ? rows - ir : tileRows;
            kernel(depth, packedA + ir * depth, MURMUR_GEMM_MR * depth, bTile, bRowStride, bPanelStride,
                   c + ir * ldc + jr, ldc, mr, nr, alpha, beta);
        }
    }
}

int murmur_gemm_variant_supported(int variant) {
    return variant >= 0 && variant < MURMUR_GEMM_VARIANTS && supported[variant];
}
long murmur_gemm_variant_tile_rows(int variant) { return variants[variant].rows; }
long murmur_gemm_variant_tile_columns(int variant) { return variants[variant].columns; }
const char *murmur_gemm_variant_name(int variant) { return variants[variant].name; }
int murmur_gemm_chosen_variant(void) { return chosen; }
