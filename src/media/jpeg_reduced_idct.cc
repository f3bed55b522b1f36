#include "media/jpeg_reduced_idct.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

namespace needle::media::internal {
namespace {

const float kPi = 3.14159265358979323846f;
// The 4-point transform's constants: cos(pi/4), cos(pi/8), cos(3pi/8).
const float kC4 = std::cos(kPi / 4), kC1 = std::cos(kPi / 8), kC3 = std::cos(3 * kPi / 8);

// Per-axis weight of frequency k: an 8-point JPEG basis function averaged
// over pixel pairs is the 4-point one times cos(k pi / 16).
float Weight(int k) { return k == 0 ? 1.0f / std::sqrt(8.0f) : 0.5f * std::cos(k * kPi / 16); }

// One 4-point pass: x holds frequencies 0..3, y gets positions 0..3.
void Pass(const float* x, float* y) {
  const float e0 = x[0] + kC4 * x[2], e1 = x[0] - kC4 * x[2];
  const float o0 = kC1 * x[1] + kC3 * x[3], o1 = kC3 * x[1] - kC1 * x[3];
  y[0] = e0 + o0, y[1] = e1 + o1, y[2] = e1 - o1, y[3] = e0 - o0;
}

}  // namespace

ReducedIdctTable MakeReducedIdctTable(const uint16_t* quant) {
  ReducedIdctTable t;
  for (int u = 0; u < 4; ++u)
    for (int v = 0; v < 4; ++v) t.q[u * 4 + v] = float(quant[u * 8 + v]) * Weight(u) * Weight(v);
  return t;
}

#if defined(__SSE2__)
namespace {
// Four 4-point passes at once: lane j of x[k] is frequency k of line j.
inline void Pass4(const __m128* x, __m128* y) {
  const __m128 c4 = _mm_set1_ps(kC4), c1 = _mm_set1_ps(kC1), c3 = _mm_set1_ps(kC3);
  const __m128 t = _mm_mul_ps(c4, x[2]);
  const __m128 e0 = _mm_add_ps(x[0], t), e1 = _mm_sub_ps(x[0], t);
  const __m128 o0 = _mm_add_ps(_mm_mul_ps(c1, x[1]), _mm_mul_ps(c3, x[3]));
  const __m128 o1 = _mm_sub_ps(_mm_mul_ps(c3, x[1]), _mm_mul_ps(c1, x[3]));
  y[0] = _mm_add_ps(e0, o0), y[1] = _mm_add_ps(e1, o1), y[2] = _mm_sub_ps(e1, o1), y[3] = _mm_sub_ps(e0, o0);
}
}  // namespace

void ReducedIdct4x4(const int16_t* coef, const ReducedIdctTable& table, uint8_t* const* rows, size_t col) {
  __m128 f[4], g[4];
  for (int u = 0; u < 4; ++u) {
    const __m128i c16 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(coef + 8 * u));
    const __m128i c32 = _mm_srai_epi32(_mm_unpacklo_epi16(c16, c16), 16);  // sign-extend
    f[u] = _mm_mul_ps(_mm_cvtepi32_ps(c32), _mm_load_ps(table.q + 4 * u));
  }
  f[0] = _mm_add_ps(f[0], _mm_set_ss(128.0f));  // the level shift rides on DC
  Pass4(f, g);  // g[m] lane v: vertical position m, horizontal frequency v
  _MM_TRANSPOSE4_PS(g[0], g[1], g[2], g[3]);
  Pass4(g, f);  // f[n] lane m: pixel (m, n)
  const __m128i r01 = _mm_packs_epi32(_mm_cvtps_epi32(f[0]), _mm_cvtps_epi32(f[1]));
  const __m128i r23 = _mm_packs_epi32(_mm_cvtps_epi32(f[2]), _mm_cvtps_epi32(f[3]));
  __m128i b = _mm_packus_epi16(r01, r23);  // byte 4n+m: pixel (m, n)
  // Transpose the 4x4 bytes: two interleaves of halves turn 4n+m into 4m+n.
  b = _mm_unpacklo_epi8(b, _mm_srli_si128(b, 8));
  b = _mm_unpacklo_epi8(b, _mm_srli_si128(b, 8));
  for (int m = 0; m < 4; ++m, b = _mm_srli_si128(b, 4)) {
    const int32_t row = _mm_cvtsi128_si32(b);
    std::memcpy(rows[m] + col, &row, 4);
  }
}
#else
void ReducedIdct4x4(const int16_t* coef, const ReducedIdctTable& table, uint8_t* const* rows, size_t col) {
  ReducedIdct4x4Portable(coef, table, rows, col);
}
#endif

void ReducedIdct4x4Portable(const int16_t* coef, const ReducedIdctTable& table, uint8_t* const* rows, size_t col) {
  float f[4][4], g[4][4], x[4], y[4];
  for (int v = 0; v < 4; ++v) {  // columns: vertical frequencies -> rows
    for (int u = 0; u < 4; ++u) x[u] = float(coef[8 * u + v]) * table.q[4 * u + v];
    Pass(x, y);
    for (int m = 0; m < 4; ++m) g[m][v] = y[m];
  }
  for (int m = 0; m < 4; ++m) {
    Pass(g[m], f[m]);
    for (int n = 0; n < 4; ++n)
      rows[m][col + n] = static_cast<uint8_t>(std::clamp(std::nearbyint(f[m][n] + 128.0f), 0.0f, 255.0f));
  }
}

}  // namespace needle::media::internal
