// A 2:1 reduced inverse DCT for the fast pipeline's luma decode.
//
// At 1/2 scale libjpeg-turbo turns each 8x8 block into 4x4 pixels with its
// SSE2 jsimd_idct_4x4, ~20 ns a block (perf): a fifth of a 1 MP fast decode,
// where entropy decoding (the floor) is the rest. This one computes the exact
// 2x2 box mean of the block's low 4x4 frequencies in ~14-16 ns a block with
// libjpeg's call overhead (bench FastDecode/1: 1.72 -> 1.62-1.66 ms), and it
// is only ever used for the fast pipeline's luma.
#pragma once

#include <cstddef>
#include <cstdint>

namespace needle::media::internal {

// The dequantisation table with the transform's scale folded in.
struct ReducedIdctTable {
  alignas(16) float q[16];  // row-major, the block's low 4x4
};

// quant: the component's quantisation steps, 64 values in natural order.
ReducedIdctTable MakeReducedIdctTable(const uint16_t* quant);

// coef: one block's 64 coefficients in natural order. Writes 4 rows of 4
// pixels at rows[r] + col: each the mean of the 2x2 pixels it covers, for the
// block with every frequency >= 4 (in either direction) dropped.
void ReducedIdct4x4(const int16_t* coef, const ReducedIdctTable& table, uint8_t* const* rows, size_t col);
// The same in plain C++ (what ReducedIdct4x4 runs without SSE2); equal to it
// up to float rounding.
void ReducedIdct4x4Portable(const int16_t* coef, const ReducedIdctTable& table, uint8_t* const* rows, size_t col);

}  // namespace needle::media::internal
