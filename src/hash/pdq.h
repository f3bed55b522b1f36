// PDQ, Meta's 256-bit perceptual image hash, implemented from the published
// algorithm (../shared/docs/pdq.md §2-3) and bit-exact with the reference C++
// on the conformance vectors.
//
// Everything here is the hash core: it starts from float luma. Decoding and
// the choice of pre-resize are in pdq_pipeline.h. This code must be built
// with -ffp-contract=off and without -ffast-math: the reference does not fuse
// multiply-adds, and fusing changes hashes of flat or periodic images.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hash/hash256.h"

namespace needle::hash {

struct PdqHash {
  Hash256 hash;
  int quality = 0;  // 0..100; below 50 the hash is not reliable for matching
};

// The eight dihedral variants, from the same DCT (no pixel recomputation).
// Names follow the vectors: rot90 = 90 degrees counter-clockwise, flipx =
// top-bottom mirror, flipy = left-right mirror, flipplus1 = transpose,
// flipminus1 = anti-diagonal mirror.
struct PdqDihedral {
  Hash256 orig, rot90, rot180, rot270, flipx, flipy, flipplus1, flipminus1;
  int quality = 0;
};

// Y = ((0.299f*R) + (0.587f*G)) + 0.114f*B for packed 8-bit RGB.
void LumaFromRgb(const uint8_t* rgb, size_t npixels, float* luma);

// How the Jarosz filter is evaluated. kReference is bit-exact with the
// reference; kSampledTent computes the same filter only at the 64x64 sample
// points (one tent per direction; about 5x less work on the 0.3 MP images
// the fast pipeline decodes). Equal in exact arithmetic, but float sums in
// another order can flip a bit near the median, so only the approximate
// `fast` pipeline uses it.
enum class Downsampler { kReference, kSampledTent };

// The plain reference entry point: Jarosz filter + decimation to 64x64 (or
// the 64x64 shortcut), quality, DCT, median threshold. `luma` (rows x cols)
// is used as scratch and overwritten. Images under 5 pixels on a side give
// the zero hash with quality 0.
PdqHash PdqFromLuma(float* luma, int rows, int cols, Downsampler ds = Downsampler::kReference);

// The reference dihedral entry point (always filters, even at 64x64); its
// `orig` can differ from PdqFromLuma on exactly 64x64 input.
PdqDihedral PdqDihedralFromLuma(float* luma, int rows, int cols, Downsampler ds = Downsampler::kReference);

// Convenience: packed RGB (channels 3) or grey (channels 1) to hash. Grey
// samples are used as luma directly.
PdqHash PdqFromRgb(const uint8_t* rgb, int width, int height, int channels = 3,
                   Downsampler ds = Downsampler::kReference);
PdqDihedral PdqDihedralFromRgb(const uint8_t* rgb, int width, int height, int channels = 3,
                               Downsampler ds = Downsampler::kReference);

// The dihedral variant that shows a stored image upright for EXIF
// orientation `o` (2..8); the identity for 1. Used to emit an "oriented"
// hash next to the canonical raw one without re-hashing pixels.
const Hash256& OrientedVariant(const PdqDihedral& d, int orientation);

namespace internal {
// Exposed for tests and benchmarks.
void LumaFromRgbPortable(const uint8_t* rgb, size_t npixels, float* luma);  // LumaFromRgb without SIMD
void JaroszFilter(float* buf, float* scratch, int rows, int cols, int win_rows, int win_cols);
int JaroszWindow(int old_size, int new_size);
void Decimate64(const float* in, int rows, int cols, float* out64x64);
int Quality64(const float* a64x64);
void Dct64To16(const float* a64x64, float* out16x16);
Hash256 ThresholdAtMedian(const float* b16x16);
// The naive reference loops (column pass strided, no blocking), for tests.
void JaroszFilterNaive(float* buf, float* scratch, int rows, int cols, int win_rows, int win_cols);
}  // namespace internal

}  // namespace needle::hash
