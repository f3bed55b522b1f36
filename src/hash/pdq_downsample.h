// The PDQ downsampler: two Jarosz (box-filter) passes in each direction, then
// 64x64 centre sampling, bit-exact with the reference and fast.
//
// Why it is fast while staying exact:
// - vectorised across independent signals (columns, or 16 rows transposed
//   into lanes), never within one running sum;
// - 8x8 register transposes (AVX2) for the row passes;
// - the last two passes keep their full running sums but skip the divisions
//   and stores whose results the 64x64 sampling never reads;
// - buffers are reused per thread (no page faults or zeroing per image).
// Internal to src/hash.
#pragma once

#include <cstddef>

namespace needle::hash::internal {

// Filters `luma` (rows x cols, overwritten) and writes the 64x64 samples.
void Downsample64(float* luma, int rows, int cols, float* out64x64);

// Uninitialised per-thread scratch of at least n floats in `slot` (0..3).
// Valid until the next call with the same slot on this thread.
float* ThreadScratch(int slot, size_t n);

}  // namespace needle::hash::internal
