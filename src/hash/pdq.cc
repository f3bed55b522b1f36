// PDQ hash core. Build flags: -O3 -ffp-contract=off (see CMakeLists.txt).
//
// Bit-exactness rules (../shared/docs/pdq.md §2, §6.4), kept by every loop here:
// - float arithmetic in the reference's order, no fused multiply-add;
// - the box filter's running sum adds the entering sample before removing
//   the leaving one, and divides by the sample count as float;
// - DCT sums run k = 0..63 into one accumulator per output.
// Vectorisation is always *across* independent outputs (columns, rows in a
// block, DCT outputs), never within one sum, so each output sees exactly the
// reference's sequence of roundings.
#include "hash/pdq.h"

#include "hash/pdq_downsample.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace needle::hash {
namespace {

constexpr int kMinHashableDim = 5;
constexpr int kJaroszPasses = 2;  // PDQ_NUM_JAROSZ_XY_PASSES

// The reference 1-D box filter, one signal with a stride (oracle for tests).
void Box1DNaive(const float* in, float* out, int len, int stride, int full) {
  const int half = (full + 2) / 2;
  float sum = 0;
  int n = 0, r = 0, l = 0, o = 0;
  for (int i = 0; i < half - 1; ++i) { sum += in[r * stride]; ++n; ++r; }
  for (int i = 0; i < full - half + 1; ++i) { sum += in[r * stride]; ++n; ++r; out[o * stride] = sum / n; ++o; }
  for (int i = 0; i < len - full; ++i) {
    sum += in[r * stride]; sum -= in[l * stride]; ++r; ++l; out[o * stride] = sum / n; ++o;
  }
  for (int i = 0; i < half - 1; ++i) { sum -= in[l * stride]; --n; ++l; out[o * stride] = sum / n; ++o; }
}

// The 16x64 DCT-II basis, rows 1..16 (DC skipped), built as the reference does.
struct DctMatrix {
  float d[16][64];
  float dt[64][16];  // transposed copy for the second product
  DctMatrix() {
    const float scale = static_cast<float>(std::sqrt(2.0 / 64.0));
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < 16; ++i)
      for (int j = 0; j < 64; ++j) {
        d[i][j] = static_cast<float>(scale * std::cos(((pi / 2.0 / 64.0) * (i + 1)) * (2 * j + 1)));
        dt[j][i] = d[i][j];
      }
  }
};
const DctMatrix& Dct() {
  static const DctMatrix m;
  return m;
}

// DCT (16x16 coefficients) of the 64x64 buffer and the quality score.
int PrepareCoefficients(const float* a64, float* b16) {
  const int quality = internal::Quality64(a64);
  internal::Dct64To16(a64, b16);
  return quality;
}

void Downsample(float* luma, int rows, int cols, float* a64, Downsampler ds) {
  if (ds == Downsampler::kSampledTent) internal::Downsample64Tent(luma, rows, cols, a64);
  else internal::Downsample64(luma, rows, cols, a64);
}

// Dihedral transforms in the DCT domain (pdq.md §3). v = B[i][j].
template <typename F>
Hash256 Variant(const float* b, F f) {
  float t[256];
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) f(t, i, j, b[i * 16 + j]);
  return internal::ThresholdAtMedian(t);
}

}  // namespace

namespace internal {

int JaroszWindow(int old_size, int new_size) { return (old_size + 2 * new_size - 1) / (2 * new_size); }

void JaroszFilterNaive(float* buf, float* scratch, int rows, int cols, int win_rows, int win_cols) {
  for (int pass = 0; pass < kJaroszPasses; ++pass) {
    for (int i = 0; i < rows; ++i)
      Box1DNaive(buf + static_cast<size_t>(i) * cols, scratch + static_cast<size_t>(i) * cols, cols, 1, win_rows);
    for (int j = 0; j < cols; ++j) Box1DNaive(scratch + j, buf + j, rows, cols, win_cols);
  }
}

void Decimate64(const float* in, int rows, int cols, float* out) {
  for (int i = 0; i < 64; ++i) {
    const int ini = static_cast<int>(((i + 0.5) * rows) / 64);
    for (int j = 0; j < 64; ++j) {
      const int inj = static_cast<int>(((j + 0.5) * cols) / 64);
      out[i * 64 + j] = in[static_cast<size_t>(ini) * cols + inj];
    }
  }
}

int Quality64(const float* a) {
  int g = 0;
  for (int i = 0; i < 63; ++i)
    for (int j = 0; j < 64; ++j) {
      const float u = a[i * 64 + j], v = a[(i + 1) * 64 + j];
      const int d = static_cast<int>(((u - v) * 100) / 255);
      g += std::abs(d);
    }
  for (int i = 0; i < 64; ++i)
    for (int j = 0; j < 63; ++j) {
      const float u = a[i * 64 + j], v = a[i * 64 + j + 1];
      const int d = static_cast<int>(((u - v) * 100) / 255);
      g += std::abs(d);
    }
  return std::min(100, g / 90);
}

void Dct64To16(const float* a, float* b) {
  const DctMatrix& m = Dct();
  float t[16][64];
  for (int i = 0; i < 16; ++i) {
    float* ti = t[i];
    for (int j = 0; j < 64; ++j) ti[j] = 0.0f;
    for (int k = 0; k < 64; ++k) {
      const float dik = m.d[i][k];
      const float* ak = a + k * 64;
      for (int j = 0; j < 64; ++j) ti[j] += dik * ak[j];
    }
  }
  for (int i = 0; i < 16; ++i) {
    float* bi = b + i * 16;
    for (int j = 0; j < 16; ++j) bi[j] = 0.0f;
    for (int k = 0; k < 64; ++k) {
      const float tik = t[i][k];
      const float* dk = m.dt[k];
      for (int j = 0; j < 16; ++j) bi[j] += tik * dk[j];
    }
  }
}

Hash256 ThresholdAtMedian(const float* b) {
  std::array<float, 256> v;
  std::memcpy(v.data(), b, sizeof(float) * 256);
  std::nth_element(v.begin(), v.begin() + 127, v.end());
  const float median = v[127];
  Hash256 h;
  for (int k = 0; k < 256; ++k)
    if (b[k] > median) h.SetBit(k);
  return h;
}

}  // namespace internal

namespace {
// The reference's luma, one pixel at a time from `first` (-ffp-contract=off
// keeps each product rounded before the sums, as the reference does).
void LumaFromRgbScalar(const uint8_t* __restrict rgb, size_t first, size_t npixels, float* __restrict luma) {
  for (size_t i = first; i < npixels; ++i) {
    const float r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
    luma[i] = ((0.299f * r) + (0.587f * g)) + (0.114f * b);
  }
}

#if defined(__x86_64__)
// One channel of eight pixels, picked out of the 16 + 8 bytes they span.
__attribute__((target("avx2"))) inline __m256 Channel(__m128i lo, __m128i hi, __m128i mlo, __m128i mhi) {
  const __m128i bytes = _mm_or_si128(_mm_shuffle_epi8(lo, mlo), _mm_shuffle_epi8(hi, mhi));
  return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
}

// Eight pixels at a time: 24 bytes split into R, G and B by byte shuffles,
// then the same three products and two sums per pixel as the scalar loop
// (separate multiplies and adds, no FMA): equal bit for bit. The compiler's
// own vectorisation of the stride-3 loop ran at ~2 cycles a pixel (PdqCore/1:
// 2.00 -> 1.88 ms); at 12 MP what is left is reading the decoded image from
// memory, which prefetching a block ahead did not hide measurably.
__attribute__((target("avx2"))) void LumaFromRgbAvx2(const uint8_t* __restrict rgb, size_t npixels,
                                                     float* __restrict luma) {
  const __m128i r_lo = _mm_setr_epi8(0, 3, 6, 9, 12, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m128i r_hi = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, 2, 5, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m128i g_lo = _mm_setr_epi8(1, 4, 7, 10, 13, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m128i g_hi = _mm_setr_epi8(-1, -1, -1, -1, -1, 0, 3, 6, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m128i b_lo = _mm_setr_epi8(2, 5, 8, 11, 14, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m128i b_hi = _mm_setr_epi8(-1, -1, -1, -1, -1, 1, 4, 7, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m256 kr = _mm256_set1_ps(0.299f), kg = _mm256_set1_ps(0.587f), kb = _mm256_set1_ps(0.114f);
  size_t i = 0;
  for (; i + 8 <= npixels; i += 8) {
    const uint8_t* p = rgb + 3 * i;  // reads exactly bytes [3i, 3i + 24)
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hi = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + 16));
    const __m256 r = Channel(lo, hi, r_lo, r_hi), g = Channel(lo, hi, g_lo, g_hi), b = Channel(lo, hi, b_lo, b_hi);
    const __m256 y = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(kr, r), _mm256_mul_ps(kg, g)), _mm256_mul_ps(kb, b));
    _mm256_storeu_ps(luma + i, y);
  }
  LumaFromRgbScalar(rgb, i, npixels, luma);
}
#endif
}  // namespace

void LumaFromRgb(const uint8_t* __restrict rgb, size_t npixels, float* __restrict luma) {
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return LumaFromRgbAvx2(rgb, npixels, luma);
#endif
  LumaFromRgbScalar(rgb, 0, npixels, luma);
}

namespace internal {
void LumaFromRgbPortable(const uint8_t* rgb, size_t npixels, float* luma) { LumaFromRgbScalar(rgb, 0, npixels, luma); }
}  // namespace internal

namespace {
PdqHash FromA64(const float* a64) {
  PdqHash out;
  float b16[256];
  out.quality = PrepareCoefficients(a64, b16);
  out.hash = internal::ThresholdAtMedian(b16);
  return out;
}

PdqDihedral DihedralFromA64(const float* a64) {
  PdqDihedral d;
  float b[256];
  d.quality = PrepareCoefficients(a64, b);
  auto odd = [](int x) { return (x & 1) != 0; };
  d.orig = internal::ThresholdAtMedian(b);
  d.rot90 = Variant(b, [&](float* t, int i, int j, float v) { t[j * 16 + i] = odd(j) ? v : -v; });
  d.rot180 = Variant(b, [&](float* t, int i, int j, float v) { t[i * 16 + j] = odd(i + j) ? -v : v; });
  d.rot270 = Variant(b, [&](float* t, int i, int j, float v) { t[j * 16 + i] = odd(i) ? v : -v; });
  d.flipx = Variant(b, [&](float* t, int i, int j, float v) { t[i * 16 + j] = odd(i) ? v : -v; });
  d.flipy = Variant(b, [&](float* t, int i, int j, float v) { t[i * 16 + j] = odd(j) ? v : -v; });
  d.flipplus1 = Variant(b, [&](float* t, int i, int j, float v) { t[j * 16 + i] = v; });
  d.flipminus1 = Variant(b, [&](float* t, int i, int j, float v) { t[j * 16 + i] = odd(i + j) ? -v : v; });
  return d;
}

bool Hashable(int rows, int cols) { return rows >= kMinHashableDim && cols >= kMinHashableDim; }
}  // namespace

PdqHash PdqFromLuma(float* luma, int rows, int cols, Downsampler ds) {
  if (!Hashable(rows, cols)) return {};
  float a64[64 * 64];
  if (rows == 64 && cols == 64) {
    std::memcpy(a64, luma, sizeof a64);  // the reference's shortcut
  } else {
    Downsample(luma, rows, cols, a64, ds);
  }
  return FromA64(a64);
}

PdqDihedral PdqDihedralFromLuma(float* luma, int rows, int cols, Downsampler ds) {
  if (!Hashable(rows, cols)) return {};
  float a64[64 * 64];
  Downsample(luma, rows, cols, a64, ds);
  return DihedralFromA64(a64);
}

namespace {
void LumaFromPixels(const uint8_t* px, size_t n, int channels, float* luma) {
  if (channels == 1) {
    for (size_t i = 0; i < n; ++i) luma[i] = px[i];
  } else {
    LumaFromRgb(px, n, luma);
  }
}

float* Luma(const uint8_t* px, size_t n, int channels) {
  float* luma = internal::ThreadScratch(3, n);
  LumaFromPixels(px, n, channels, luma);
  return luma;
}

// The reference downsampler fed from 8-bit pixels a block of luma rows at a
// time, the same values Luma() makes, without writing the whole float image
// (48 MB at 12 MP) and reading it back.
void DownsamplePixels(const uint8_t* px, int rows, int cols, int channels, float* a64) {
  float* block = internal::ThreadScratch(3, size_t(internal::kDownsampleRows) * cols);
  const size_t row_bytes = size_t(cols) * channels;
  internal::Downsample64(
      [&](int r0, int n) -> const float* {
        LumaFromPixels(px + size_t(r0) * row_bytes, size_t(n) * cols, channels, block);
        return block;
      },
      rows, cols, a64);
}
}  // namespace

PdqHash PdqFromRgb(const uint8_t* px, int width, int height, int channels, Downsampler ds) {
  if (!Hashable(height, width)) return {};
  if (!(width == 64 && height == 64)) {  // 64x64 takes the reference's shortcut in PdqFromLuma
    float a64[64 * 64];
    if (ds == Downsampler::kReference) {
      DownsamplePixels(px, height, width, channels, a64);
      return FromA64(a64);
    }
    if (channels == 1) {
      internal::Downsample64Tent(px, height, width, a64);  // straight from 8-bit luma
      return FromA64(a64);
    }
  }
  return PdqFromLuma(Luma(px, static_cast<size_t>(width) * height, channels), height, width, ds);
}

PdqDihedral PdqDihedralFromRgb(const uint8_t* px, int width, int height, int channels, Downsampler ds) {
  if (!Hashable(height, width)) return {};
  float a64[64 * 64];
  if (ds == Downsampler::kReference) {
    DownsamplePixels(px, height, width, channels, a64);
    return DihedralFromA64(a64);
  }
  if (channels == 1) {
    internal::Downsample64Tent(px, height, width, a64);
    return DihedralFromA64(a64);
  }
  return PdqDihedralFromLuma(Luma(px, static_cast<size_t>(width) * height, channels), height, width, ds);
}

const Hash256& OrientedVariant(const PdqDihedral& d, int orientation) {
  // EXIF orientation -> the transform that shows the stored pixels upright.
  switch (orientation) {
    case 2: return d.flipy;       // mirrored left-right
    case 3: return d.rot180;
    case 4: return d.flipx;       // mirrored top-bottom
    case 5: return d.flipplus1;   // transpose
    case 6: return d.rot270;      // stored rotated; display turns it 90 clockwise
    case 7: return d.flipminus1;  // transverse
    case 8: return d.rot90;       // display turns it 90 counter-clockwise
    default: return d.orig;
  }
}

}  // namespace needle::hash
