// The PDQ downsampler: two Jarosz (box-filter) passes in each direction, then
// 64x64 centre sampling, bit-exact with the reference and fast.
//
// Why it is fast while staying exact:
// - vectorised across independent signals (columns, or 16 rows transposed
//   into lanes), never within one running sum;
// - 8x8 register transposes (AVX2) for the row passes;
// - the last two passes keep their full running sums but skip the divisions
//   and stores whose results the 64x64 sampling never reads;
// - the passes stream through the image a block of rows at a time (a ring
//   of ~2 windows of rows, in L2), never writing a full-size intermediate;
// - buffers are reused per thread (no page faults or zeroing per image).
// Internal to src/hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace needle::hash::internal {

// Filters `luma` (rows x cols) and writes the 64x64 samples.
void Downsample64(const float* luma, int rows, int cols, float* out64x64);

// The same with the luma made on demand: source(r0, n) returns rows
// [r0, r0 + n) of it (n <= kDownsampleRows, n x cols floats), valid until the
// next call. Rows are asked for once each, in order.
constexpr int kDownsampleRows = 16;
using LumaRowSource = std::function<const float*(int r0, int n)>;
void Downsample64(const LumaRowSource& source, int rows, int cols, float* out64x64);

// The same filter evaluated only where it is sampled: the two box passes in
// each direction folded into one tent of 2 x window taps (weights in double),
// applied at the 64 sampled rows of every column, then at the 64 sampled
// columns. Equal to Downsample64 in exact arithmetic, not bit for bit (float
// sums in another order). For the approximate fast pipeline; the grey
// overload reads 8-bit luma directly (no float copy of the image).
void Downsample64Tent(const float* luma, int rows, int cols, float* out64x64);
void Downsample64Tent(const uint8_t* grey, int rows, int cols, float* out64x64);

// Uninitialised per-thread scratch of at least n floats in `slot` (0..3).
// Valid until the next call with the same slot on this thread.
float* ThreadScratch(int slot, size_t n);

}  // namespace needle::hash::internal
