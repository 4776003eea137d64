// Full-panel packing for the GEMM: out[p · W + i] = src[i · si + p · sp] for W = 6 (a panel of A, either
// transpose) or W = 16 (a panel of a transposed B). On AVX-512 CPUs, gathers move 16 floats an
// instruction (the Swift copy moved one, and packing was a quarter of a round); elsewhere a plain loop.
// Either way a pure copy: the packed values, and so every product, have the same bits.
#include "CKernels.h"

#include <immintrin.h>

static void pack_portable(long width, long depth, const float *src, long si, long sp, float *out) {
    for (long p = 0; p < depth; p++)
        for (long i = 0; i < width; i++) out[p * width + i] = src[i * si + p * sp];
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void pack_avx512(long width, long depth, const float *src, long si, long sp, float *out) {
    long p = 0;
    if (width == 16) {
        const __m512i index = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                 _mm512_set1_epi32((int)si));
        for (; p < depth; p++) _mm512_storeu_ps(out + p * 16, _mm512_i32gather_ps(index, src + p * sp, 4));
        return;
    }
    // width 6: eight k's (48 floats) take three gathers; lane l of gather q is element 16q + l.
    int lanes[3][16];
    for (int q = 0; q < 3; q++)
        for (int l = 0; l < 16; l++) {
            const int e = 16 * q + l;
            lanes[q][l] = (int)((e % 6) * si + (e / 6) * sp);
        }
    const __m512i i0 = _mm512_loadu_si512(lanes[0]), i1 = _mm512_loadu_si512(lanes[1]);
    const __m512i i2 = _mm512_loadu_si512(lanes[2]);
    for (; p + 8 <= depth; p += 8) {
        const float *base = src + p * sp;
        float *o = out + p * 6;
        _mm512_storeu_ps(o, _mm512_i32gather_ps(i0, base, 4));
        _mm512_storeu_ps(o + 16, _mm512_i32gather_ps(i1, base, 4));
        _mm512_storeu_ps(o + 32, _mm512_i32gather_ps(i2, base, 4));
    }
    pack_portable(width, depth - p, src + p * sp, si, sp, out + p * 6);
}
#endif

void murmur_gemm_pack_panel(long width, long depth, const float *src, long si, long sp, float *out) {
#if defined(__x86_64__)
    // Gather offsets are 32-bit: larger strides take the plain loop.
    const long reach = (width - 1) * si + 7 * sp;
    if (murmur_gemm_variant_supported(MURMUR_GEMM_AVX512) && reach < 0x7FFFFFFF && (width == 6 || width == 16)) {
        pack_avx512(width, depth, src, si, sp, out);
        return;
    }
#endif
    pack_portable(width, depth, src, si, sp, out);
}
