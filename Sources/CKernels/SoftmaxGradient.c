// One row of the fused softmax cross-entropy gradient, scale · (softmax(x) − onehot(target)), in three
// passes (max; exponentials and their sum; one scaling), with an AVX-512 variant chosen at run time and a
// portable one. e^x is Kernels' VectorMath.exp (the Cephes expf scheme, Moshier 1992) step for step: a
// product and a sum are never fused, so each lane's exponential has the Swift version's bits.
#include "CKernels.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

static const float exp_lowest = -87.33654f, exp_highest = 88.37626f, log2e = 1.44269504f;
static const float ln2_high = 0.693359375f, ln2_low = -2.1219444e-4f, rounding_magic = 12582912.0f;
static const float p0 = 1.98756915e-4f, p1 = 1.39819995e-3f, p2 = 8.3334519e-3f, p3 = 4.1665796e-2f,
                   p4 = 0.16666665f, p5 = 0.5f;

static float exp_scalar(float x) {
    float clamped = x < exp_lowest ? exp_lowest : x;
    clamped = clamped > exp_highest ? exp_highest : clamped;
    const float shifted = clamped * log2e + rounding_magic;
    const float n = shifted - rounding_magic;
    const float r = clamped - n * ln2_high - n * ln2_low;
    float p = p0;
    p = p * r + p1;
    p = p * r + p2;
    p = p * r + p3;
    p = p * r + p4;
    p = p * r + p5;
    p = p * (r * r) + r + 1;
    int32_t bits;
    memcpy(&bits, &shifted, 4);
    const int32_t exponent = (int32_t)((uint32_t)(bits - 0x4B400000 + 127) << 23);
    float power;
    memcpy(&power, &exponent, 4);
    return x < exp_lowest ? 0.0f : p * power;
}

static float softmax_gradient_portable(float *row, long count, long target, float scale) {
    float rowMax = -INFINITY;
    for (long j = 0; j < count; j++) rowMax = row[j] > rowMax ? row[j] : rowMax;
    float lanes[8] = {0};
    for (long j = 0; j < count; j++) {
        const float e = exp_scalar(row[j] - rowMax);
        row[j] = e;
        lanes[j & 7] += e;
    }
    float total = 0;
    for (int l = 0; l < 8; l++) total += lanes[l];
    const float inverse = 1 / total, probability = row[target] * inverse, factor = inverse * scale;
    for (long j = 0; j < count; j++) row[j] *= factor;
    row[target] -= scale;
    return probability;
}

#if defined(__x86_64__)
__attribute__((target("avx512f"), always_inline))
static inline __m512 exp16(__m512 x) {
    const __m512 lowest = _mm512_set1_ps(exp_lowest), highest = _mm512_set1_ps(exp_highest);
    const __mmask16 under = _mm512_cmp_ps_mask(x, lowest, _CMP_LT_OQ);
    __m512 clamped = _mm512_mask_blend_ps(under, x, lowest);
    clamped = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(clamped, highest, _CMP_GT_OQ), clamped, highest);
    const __m512 shifted = _mm512_add_ps(_mm512_mul_ps(clamped, _mm512_set1_ps(log2e)), _mm512_set1_ps(rounding_magic));
    const __m512 n = _mm512_sub_ps(shifted, _mm512_set1_ps(rounding_magic));
    const __m512 r = _mm512_sub_ps(_mm512_sub_ps(clamped, _mm512_mul_ps(n, _mm512_set1_ps(ln2_high))),
                                   _mm512_mul_ps(n, _mm512_set1_ps(ln2_low)));
    __m512 p = _mm512_set1_ps(p0);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(p1));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(p2));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(p3));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(p4));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(p5));
    p = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(p, _mm512_mul_ps(r, r)), r), _mm512_set1_ps(1.0f));
    const __m512i bits = _mm512_castps_si512(shifted);
    const __m512i exponent = _mm512_slli_epi32(
        _mm512_add_epi32(_mm512_sub_epi32(bits, _mm512_set1_epi32(0x4B400000)), _mm512_set1_epi32(127)), 23);
    const __m512 result = _mm512_mul_ps(p, _mm512_castsi512_ps(exponent));
    return _mm512_mask_blend_ps(under, result, _mm512_setzero_ps());
}

__attribute__((target("avx512f")))
static float softmax_gradient_avx512(float *row, long count, long target, float scale) {
    const long full = count & ~15L;
    const __mmask16 tail = (__mmask16)((1u << (count - full)) - 1);
    __m512 maxes = _mm512_set1_ps(-INFINITY);
    for (long j = 0; j < full; j += 16) maxes = _mm512_max_ps(maxes, _mm512_loadu_ps(row + j));
    if (tail) maxes = _mm512_max_ps(maxes, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), tail, row + full));
    const float rowMax = _mm512_reduce_max_ps(maxes);
    const __m512 shift = _mm512_set1_ps(rowMax);
    __m512 sums = _mm512_setzero_ps();
    for (long j = 0; j < full; j += 16) {
        const __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(row + j), shift));
        _mm512_storeu_ps(row + j, e);
        sums = _mm512_add_ps(sums, e);
    }
    if (tail) {
        const __m512 e = exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, row + full), shift));
        _mm512_mask_storeu_ps(row + full, tail, e);
        sums = _mm512_mask_add_ps(sums, tail, sums, e);
    }
    const float total = _mm512_reduce_add_ps(sums);
    const float inverse = 1 / total, probability = row[target] * inverse, factor = inverse * scale;
    const __m512 factors = _mm512_set1_ps(factor);
    for (long j = 0; j < full; j += 16) _mm512_storeu_ps(row + j, _mm512_mul_ps(_mm512_loadu_ps(row + j), factors));
    if (tail) _mm512_mask_storeu_ps(row + full, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, row + full), factors));
    row[target] -= scale;
    return probability;
}
#endif

float murmur_softmax_gradient_row(int vectorised, float *row, long count, long target, float scale) {
#if defined(__x86_64__)
    if (vectorised && murmur_gemm_variant_supported(MURMUR_GEMM_AVX512))
        return softmax_gradient_avx512(row, count, target, scale);
#endif
    (void)vectorised;
    return softmax_gradient_portable(row, count, target, scale);
}
