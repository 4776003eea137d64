// GEMM micro-kernels for Murmur's Kernels target. Everything above the micro-kernel (packing, blocking,
// threading) is Swift; only the register-tiled inner product lives here, because reaching the CPU's
// FMA units from a portable build needs per-function target attributes (see docs/architecture.md).
#ifndef MURMUR_CKERNELS_H
#define MURMUR_CKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Rows of a packed A panel and columns of a packed (or directly read) B panel. Every variant reads
/// panels of this shape; a variant's register tile covers one or more of them (see the tile functions).
enum { MURMUR_GEMM_MR = 6, MURMUR_GEMM_NR = 16 };

/// The kernel variants compiled into this binary, in order of preference.
enum { MURMUR_GEMM_PORTABLE = 0, MURMUR_GEMM_AVX2 = 1, MURMUR_GEMM_AVX512 = 2, MURMUR_GEMM_VARIANTS = 3 };

/// C[0..<mr, 0..<nr] = alpha * (A * B) + beta * C for one register tile, with variant `variant`.
///
/// A is packed: row i of the tile is lane i % MR of the panel at `packedA + (i / MR) * aPanelStride`,
/// which holds `depth` groups of MR floats (zero-padded past mr). B's row k, columns 16p..<16p+16, are
/// the 16 floats at `b + k * bRowStride + p * bPanelStride`: a packed panel (bRowStride = NR) or B read
/// in place (bRowStride = ldb, bPanelStride = NR); lanes past nr are never read, so B need not be
/// padded. `mr` and `nr` are at most the variant's tile rows and columns. When `beta` is 0, C is not
/// read. Every variant that has FMA sums each element over k in the same order with one fused
/// multiply-add per k, so the AVX2 and AVX-512 variants give bit-identical results.
void murmur_gemm_kernel(int variant, long depth, const float *packedA, long aPanelStride, const float *b,
                        long bRowStride, long bPanelStride, float *c, long ldc, long mr, long nr, float alpha,
                        float beta);

/// The register tiles of one packed block: C[0..<rows, 0..<columns] = alpha * (A * B) + beta * C, where A
/// is `rows` rows packed in MR-row panels of `depth` (panel stride MR · depth) and B is addressed as for
/// `murmur_gemm_kernel`. The loop over tiles lives here so that a block costs one call from Swift.
void murmur_gemm_block(int variant, long rows, long columns, long depth, const float *packedA, const float *b,
                       long bRowStride, long bPanelStride, float *c, long ldc, float alpha, float beta);

/// Packs one full panel: out[p · width + i] = src[i · si + p · sp] for p < depth, i < width (6 or 16).
void murmur_gemm_pack_panel(long width, long depth, const float *src, long si, long sp, float *out);

/// Whether this CPU can run `variant`.
int murmur_gemm_variant_supported(int variant);
/// Rows and columns of `variant`'s register tile (multiples of MR and NR).
long murmur_gemm_variant_tile_rows(int variant);
long murmur_gemm_variant_tile_columns(int variant);
/// The variant's name, e.g. "avx512f-12x32", "avx2-fma-6x16", "portable-6x16".
const char *murmur_gemm_variant_name(int variant);
/// The best variant this CPU supports, chosen once at start-up.
int murmur_gemm_chosen_variant(void);

/// Replaces row[0..<count] by scale · (softmax(row) − onehot(target)) and returns softmax(row)[target].
///
/// With `vectorised` non-zero and AVX-512 available, sixteen lanes at a time; otherwise the portable
/// loop. Both are deterministic; their sums run in different orders, so their bits may differ.
float murmur_softmax_gradient_row(int vectorised, float *row, long count, long target, float scale);

#ifdef __cplusplus
}
#endif
#endif
