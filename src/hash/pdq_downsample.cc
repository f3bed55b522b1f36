#include "hash/pdq_downsample.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "hash/pdq.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace needle::hash::internal {
namespace {

#if defined(__x86_64__)
#define NEEDLE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define NEEDLE_CLONES
#endif

constexpr int kBlock = kDownsampleRows;  // rows transposed into lanes at once

// The reference's 64 sample positions along a side of `len` (centres).
void SamplePositions(int len, int* pos) {
  for (int i = 0; i < 64; ++i) pos[i] = static_cast<int>(((i + 0.5) * len) / 64);
}

// Box filter of `nlanes` signals of length `len`; sample k of lane L is at
// in[k * stride + L]. The reference box1DFloat, applied to every lane at
// once. When `want` is given, output o is computed and stored only where
// want[o] != 0; the running sum is always advanced, so stored values are
// exactly the reference's.
NEEDLE_CLONES
void BoxLanes(const float* __restrict in, float* __restrict out, int len, size_t stride, int nlanes, int full,
              float* __restrict sum, const uint8_t* want) {
  const int half = (full + 2) / 2;
  const int p1 = half - 1, p2 = full - half + 1, p3 = len - full, p4 = half - 1;
  for (int L = 0; L < nlanes; ++L) sum[L] = 0.0f;
  size_t r = 0, l = 0, o = 0;
  int n = 0;
  for (int i = 0; i < p1; ++i, ++r, ++n) {
    const float* x = in + r * stride;
    for (int L = 0; L < nlanes; ++L) sum[L] += x[L];
  }
  for (int i = 0; i < p2; ++i, ++r, ++o) {
    const float* x = in + r * stride;
    for (int L = 0; L < nlanes; ++L) sum[L] += x[L];
    ++n;
    if (want && !want[o]) continue;
    float* y = out + o * stride;
    const float fn = static_cast<float>(n);
    for (int L = 0; L < nlanes; ++L) y[L] = sum[L] / fn;
  }
  const float fn3 = static_cast<float>(n);
  for (int i = 0; i < p3; ++i, ++r, ++l, ++o) {
    const float* x = in + r * stride;
    const float* w = in + l * stride;
    if (want && !want[o]) {
      for (int L = 0; L < nlanes; ++L) {
        sum[L] += x[L];
        sum[L] -= w[L];
      }
      continue;
    }
    float* y = out + o * stride;
    for (int L = 0; L < nlanes; ++L) {
      sum[L] += x[L];
      sum[L] -= w[L];
      y[L] = sum[L] / fn3;
    }
  }
  for (int i = 0; i < p4; ++i, ++l, ++o) {
    const float* w = in + l * stride;
    for (int L = 0; L < nlanes; ++L) sum[L] -= w[L];
    --n;
    if (want && !want[o]) continue;
    float* y = out + o * stride;
    const float fn = static_cast<float>(n);
    for (int L = 0; L < nlanes; ++L) y[L] = sum[L] / fn;
  }
}

// ---- transposes between nrows image rows and a (cols x kBlock) lane block ----

void TransposeInScalar(const float* in, float* t, int nrows, int cols, int k0) {
  for (int k = k0; k < cols; ++k)
    for (int b = 0; b < nrows; ++b) t[size_t(k) * kBlock + b] = in[size_t(b) * cols + k];
}
void TransposeOutScalar(const float* t, float* out, int nrows, int cols, int k0) {
  for (int b = 0; b < nrows; ++b)
    for (int k = k0; k < cols; ++k) out[size_t(b) * cols + k] = t[size_t(k) * kBlock + b];
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) inline void Transpose8x8(const float* src, size_t ss, float* dst, size_t ds) {
  __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + ss), r2 = _mm256_loadu_ps(src + 2 * ss),
         r3 = _mm256_loadu_ps(src + 3 * ss), r4 = _mm256_loadu_ps(src + 4 * ss), r5 = _mm256_loadu_ps(src + 5 * ss),
         r6 = _mm256_loadu_ps(src + 6 * ss), r7 = _mm256_loadu_ps(src + 7 * ss);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
         t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
         t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE),
         u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE),
         u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
         u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(dst + ds, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(dst + 2 * ds, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(dst + 3 * ds, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(dst + 4 * ds, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(dst + 5 * ds, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(dst + 6 * ds, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(dst + 7 * ds, _mm256_permute2f128_ps(u3, u7, 0x31));
}

__attribute__((target("avx2"))) void TransposeInAvx2(const float* in, float* t, int nrows, int cols) {
  if (nrows != kBlock) return TransposeInScalar(in, t, nrows, cols, 0);
  const int k8 = cols & ~7;
  for (int k = 0; k < k8; k += 8) {
    Transpose8x8(in + k, size_t(cols), t + size_t(k) * kBlock, kBlock);
    Transpose8x8(in + size_t(8) * cols + k, size_t(cols), t + size_t(k) * kBlock + 8, kBlock);
  }
  TransposeInScalar(in, t, nrows, cols, k8);
}

__attribute__((target("avx2"))) void TransposeOutAvx2(const float* t, float* out, int nrows, int cols) {
  if (nrows != kBlock) return TransposeOutScalar(t, out, nrows, cols, 0);
  const int k8 = cols & ~7;
  for (int k = 0; k < k8; k += 8) {
    Transpose8x8(t + size_t(k) * kBlock, kBlock, out + k, size_t(cols));
    Transpose8x8(t + size_t(k) * kBlock + 8, kBlock, out + size_t(8) * cols + k, size_t(cols));
  }
  TransposeOutScalar(t, out, nrows, cols, k8);
}
#endif

using TransposeInFn = void (*)(const float*, float*, int, int);
using TransposeOutFn = void (*)(const float*, float*, int, int);
struct Kernels {
  TransposeInFn in;
  TransposeOutFn out;
};
const Kernels& Select() {
  static const Kernels k = [] {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return Kernels{TransposeInAvx2, TransposeOutAvx2};
#endif
    return Kernels{[](const float* i, float* t, int n, int c) { TransposeInScalar(i, t, n, c, 0); },
                   [](const float* t, float* o, int n, int c) { TransposeOutScalar(t, o, n, c, 0); }};
  }();
  return k;
}

struct Scratch {
  std::unique_ptr<float[]> p;
  size_t n = 0;
};
// Buffers above this are released after use so one huge image does not pin
// memory for the rest of a run.
constexpr size_t kKeepFloats = size_t(32) << 20;  // 128 MB per slot

}  // namespace

float* ThreadScratch(int slot, size_t n) {
  thread_local Scratch slots[4];
  Scratch& s = slots[slot];
  if (s.n < n || (s.n > kKeepFloats && n <= kKeepFloats)) {
    s.p.reset(new float[n]);  // uninitialised on purpose
    s.n = n;
  }
  return s.p.get();
}

// Lane buffers for the row passes plus running sums for up to
// max(cols, 64) lanes (the column passes and the 64-lane last pass).
struct LaneBuffers {
  float* tin;
  float* tout;
  float* sum;
};
LaneBuffers GetLaneBuffers(int cols) {
  const size_t block = size_t(cols) * kBlock;
  const size_t lanes = size_t(std::max(cols, 64));
  float* base = ThreadScratch(2, 2 * block + lanes);
  return LaneBuffers{base, base + block, base + 2 * block};
}

// One full Jarosz pass in place: box-filter along rows (blocks of rows
// transposed into lanes) into `scratch`, then along columns back into `buf`.
void BoxPass(float* buf, float* scratch, int rows, int cols, int win_rows, int win_cols) {
  const Kernels& k = Select();
  auto [tin, tout, sum] = GetLaneBuffers(cols);
  for (int r0 = 0; r0 < rows; r0 += kBlock) {
    const int nr = std::min(kBlock, rows - r0);
    k.in(buf + size_t(r0) * cols, tin, nr, cols);
    BoxLanes(tin, tout, cols, kBlock, nr, win_rows, sum, nullptr);
    k.out(tout, scratch + size_t(r0) * cols, nr, cols);
  }
  BoxLanes(scratch, buf, rows, size_t(cols), cols, win_cols, sum, nullptr);
}

void JaroszFilter(float* buf, float* scratch, int rows, int cols, int win_rows, int win_cols) {
  for (int pass = 0; pass < 2; ++pass) BoxPass(buf, scratch, rows, cols, win_rows, win_cols);
}

namespace {

// Pass 2 streamed: per lane, the float operations of BoxLanes' phases in the
// same order (add, subtract, divide), one row of lanes at a time.
NEEDLE_CLONES void AddRow(float* __restrict sum, const float* __restrict x, int n) {
  for (int L = 0; L < n; ++L) sum[L] += x[L];
}
NEEDLE_CLONES void AddDivRow(float* __restrict sum, const float* __restrict x, float* __restrict y, float fn, int n) {
  for (int L = 0; L < n; ++L) {
    sum[L] += x[L];
    y[L] = sum[L] / fn;
  }
}
NEEDLE_CLONES void AddSubDivRow(float* __restrict sum, const float* __restrict x, const float* __restrict w,
                                float* __restrict y, float fn, int n) {
  for (int L = 0; L < n; ++L) {
    sum[L] += x[L];
    sum[L] -= w[L];
    y[L] = sum[L] / fn;
  }
}
NEEDLE_CLONES void SubDivRow(float* __restrict sum, const float* __restrict w, float* __restrict y, float fn, int n) {
  for (int L = 0; L < n; ++L) {
    sum[L] -= w[L];
    y[L] = sum[L] / fn;
  }
}

}  // namespace

// The four passes stream through the image in blocks of kBlock rows, so no
// full-size intermediate is written: pass 1 (rows) fills a ring of rows,
// pass 2 (columns) emits each row once its window is complete, pass 3 (rows,
// only the 64 sampled columns) runs on each block of pass-2 rows, pass 4 on
// the compact rows x 64 result. Every lane sees the reference's float
// operations in the reference's order, so the result is bit-exact; what
// changes is memory traffic: ~1.5 MB of rows at 12 MP instead of five trips
// through 48 MB images (PdqCore/12: 36.9 -> 24.6 ms with the block-wise luma).
void Downsample64(const float* luma, int rows, int cols, float* out64) {
  Downsample64([&](int r0, int) { return luma + size_t(r0) * cols; }, rows, cols, out64);
}

void Downsample64(const LumaRowSource& source, int rows, int cols, float* out64) {
  const Kernels& k = Select();
  const int wr = JaroszWindow(cols, 64), wc = JaroszWindow(rows, 64);
  int srow[64], scol[64];
  SamplePositions(rows, srow);
  SamplePositions(cols, scol);
  std::unique_ptr<uint8_t[]> want_col(new uint8_t[cols]()), want_row(new uint8_t[rows]());
  for (int i = 0; i < 64; ++i) want_col[scol[i]] = want_row[srow[i]] = 1;

  // Pass 2 reads row r and row r - wc; a block of pass-1 rows lands while
  // the wc rows before it are still needed. A multiple of kBlock, so a
  // block never wraps.
  const int ring = (wc + kBlock + kBlock) / kBlock * kBlock;
  float* ring_buf = ThreadScratch(0, size_t(ring + kBlock) * cols);
  float* stage = ring_buf + size_t(ring) * cols;  // one block of pass-2 rows
  auto ring_row = [&](int r) { return ring_buf + size_t(r % ring) * cols; };
  // (Plain names, not a structured binding: clang 14, the fuzz build's
  // compiler, cannot capture those in the lambdas below.)
  const LaneBuffers lanes = GetLaneBuffers(cols);
  float* tin = lanes.tin;
  float* tout = lanes.tout;
  float* sum = lanes.sum;  // pass 2's cols lanes, then pass 4's 64
  float lane_sum[kBlock];                         // passes 1 and 3
  float* compact = ThreadScratch(1, size_t(rows) * 64 * 2);
  float* compact2 = compact + size_t(rows) * 64;

  // Pass 3 on the staged pass-2 rows [end - nr, end): only the sampled
  // columns are computed, gathered into compact rows.
  auto flush = [&](int end) {
    const int r0 = (end - 1) / kBlock * kBlock, nr = end - r0;
    k.in(stage, tin, nr, cols);
    BoxLanes(tin, tout, cols, kBlock, nr, wr, lane_sum, want_col.get());
    for (int b = 0; b < nr; ++b) {
      float* dst = compact + size_t(r0 + b) * 64;
      for (int s = 0; s < 64; ++s) dst[s] = tout[size_t(scol[s]) * kBlock + b];
    }
  };
  int o = 0;  // next pass-2 output row
  auto out_row = [&] { return stage + size_t(o % kBlock) * cols; };
  auto emitted = [&] {
    if (++o % kBlock == 0 || o == rows) flush(o);
  };

  // BoxLanes' phases for pass 2, by input row: p1 rows only accumulate, p2
  // rows accumulate and emit, the rest slide; p4 outputs drain at the end.
  const int half = (wc + 2) / 2, p1 = half - 1, p12 = wc;
  for (int c = 0; c < cols; ++c) sum[c] = 0.0f;
  int n = 0;
  for (int r0 = 0; r0 < rows; r0 += kBlock) {
    const int nr = std::min(kBlock, rows - r0);
    k.in(source(r0, nr), tin, nr, cols);
    BoxLanes(tin, tout, cols, kBlock, nr, wr, lane_sum, nullptr);
    k.out(tout, ring_row(r0), nr, cols);
    for (int r = r0; r < r0 + nr; ++r) {
      if (r < p1) {
        AddRow(sum, ring_row(r), cols);
        ++n;
      } else if (r < p12) {
        ++n;
        AddDivRow(sum, ring_row(r), out_row(), static_cast<float>(n), cols);
        emitted();
      } else {
        AddSubDivRow(sum, ring_row(r), ring_row(r - p12), out_row(), static_cast<float>(n), cols);
        emitted();
      }
    }
  }
  for (int i = 0; i < p1; ++i) {  // the last p1 outputs: the window shrinks
    --n;
    SubDivRow(sum, ring_row(rows - p12 + i), out_row(), static_cast<float>(n), cols);
    emitted();
  }

  // Pass 4 (columns) on the 64 sampled columns, outputs at the sampled rows.
  BoxLanes(compact, compact2, rows, 64, 64, wc, sum, want_row.get());
  for (int i = 0; i < 64; ++i)
    for (int j = 0; j < 64; ++j) out64[i * 64 + j] = compact2[size_t(srow[i]) * 64 + j];
}

namespace {

// Two edge-normalised box passes of window `full` (the reference's
// box1DFloat twice) are one linear filter; these are its weights at the 64
// sample positions, computed in double. BoxLanes' output o averages inputs
// [max(0, o - full + half), min(len - 1, o + half - 1)], half = (full + 2) / 2.
struct TentTaps {
  int first[64];            // first input position of sample s
  int ntaps = 0;            // taps per sample (the widest one; others padded with 0)
  std::vector<float> w;     // 64 x ntaps
};
TentTaps SampledTent(int len, int full, const int* samples) {
  const int half = (full + 2) / 2;
  auto lo = [&](int o) { return std::max(0, o - full + half); };
  auto hi = [&](int o) { return std::min(len - 1, o + half - 1); };
  TentTaps t;
  t.ntaps = std::min(2 * full, len);  // a tent spans 2 * full - 1 inputs
  t.w.assign(size_t(64) * t.ntaps, 0.0f);
  std::vector<double> acc(size_t(t.ntaps));
  for (int s = 0; s < 64; ++s) {
    const int c = samples[s];
    const int first = std::min(lo(lo(c)), len - t.ntaps);  // in bounds, still <= every tap
    t.first[s] = first;
    std::fill(acc.begin(), acc.end(), 0.0);
    const double n2 = hi(c) - lo(c) + 1;
    for (int j = lo(c); j <= hi(c); ++j) {
      const double n1 = hi(j) - lo(j) + 1;
      for (int x = lo(j); x <= hi(j); ++x) acc[size_t(x - first)] += 1.0 / (n1 * n2);
    }
    for (int k = 0; k < t.ntaps; ++k) t.w[size_t(s) * t.ntaps + k] = static_cast<float>(acc[size_t(k)]);
  }
  return t;
}

// Column filter at the 64 sampled rows, along whole rows (contiguous, so it
// vectorises without transposes): mid[i][x] = sum_k w[i][k] * in[first_i + k][x].
// The body is inlined into one AVX2/default clone per input type (clang
// cannot multiversion a template).
template <typename T>
inline __attribute__((always_inline)) void TentRowsBody(const TentTaps& tv, const T* __restrict in, int cols,
                                                        float* __restrict mid) {
  for (int i = 0; i < 64; ++i) {
    float* y = mid + size_t(i) * cols;
    for (int x = 0; x < cols; ++x) y[x] = 0.0f;
    const float* wi = &tv.w[size_t(i) * tv.ntaps];
    for (int k = 0; k < tv.ntaps; ++k) {
      const float wk = wi[k];
      const T* row = in + size_t(tv.first[i] + k) * cols;
      for (int x = 0; x < cols; ++x) y[x] += wk * static_cast<float>(row[x]);
    }
  }
}
NEEDLE_CLONES void TentRows(const TentTaps& tv, const float* in, int cols, float* mid) {
  TentRowsBody(tv, in, cols, mid);
}
NEEDLE_CLONES void TentRows(const TentTaps& tv, const uint8_t* in, int cols, float* mid) {
  TentRowsBody(tv, in, cols, mid);
}

template <typename T>
void Tent(const T* luma, int rows, int cols, float* out64) {
  int srow[64], scol[64];
  SamplePositions(rows, srow);
  SamplePositions(cols, scol);
  const TentTaps th = SampledTent(cols, JaroszWindow(cols, 64), scol);
  const TentTaps tv = SampledTent(rows, JaroszWindow(rows, 64), srow);
  // The filters are separable and commute: columns first at the 64 sampled
  // rows (64 x cols), then rows at the 64 sampled columns (64 x 64 x taps).
  float* mid = ThreadScratch(1, size_t(64) * cols);
  TentRows(tv, luma, cols, mid);
  for (int i = 0; i < 64; ++i) {
    const float* y = mid + size_t(i) * cols;
    for (int s = 0; s < 64; ++s) {
      const float* ws = &th.w[size_t(s) * th.ntaps];
      const float* x = y + th.first[s];
      float acc = 0.0f;
      for (int k = 0; k < th.ntaps; ++k) acc += ws[k] * x[k];
      out64[i * 64 + s] = acc;
    }
  }
}

}  // namespace

void Downsample64Tent(const float* luma, int rows, int cols, float* out64) { Tent(luma, rows, cols, out64); }
void Downsample64Tent(const uint8_t* grey, int rows, int cols, float* out64) { Tent(grey, rows, cols, out64); }

}  // namespace needle::hash::internal
