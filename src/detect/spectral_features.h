// The cheap baseline's hand-crafted features: traces of up-sampling and of
// camera colour interpolation in the noise residual of the pixels.
//
//   * the residual's level and tail weight (log mean |r|, log kurtosis), with
//     r = 4Y - the four neighbours (a Laplacian high-pass of luma Y);
//   * the Fourier spectrum of the residual's mean magnitude folded onto an 8x8
//     phase grid (y mod 8, x mod 8): 2x, 4x and 8x up-sampling and block
//     coding put energy at multiples of 1/8 cycles per pixel (24 values);
//   * NPR block statistics: how far the other three pixels of each aligned
//     2x2 block sit from its top-left pixel, relative to the same measure on
//     blocks shifted by one pixel (nearest-neighbour up-sampling drives the
//     aligned ratio towards zero);
//   * inter-channel residual correlation and the 2x2 phase pattern of the
//     chroma residual (camera demosaicing leaves a 2x2 period).
//
// Pixels only; cost is linear in the pixel count (one pass over rolling rows,
// 4.4 ms per megapixel on one core).
#pragma once

#include <array>
#include <cstdint>

#include "media/image.h"
#include "needle/status.h"

namespace needle::detect {

inline constexpr int kSpectralFeatureCount = 35;
using SpectralFeatures = std::array<double, kSpectralFeatureCount>;

// Names in the order of the feature vector (stable; stored in the model file).
const std::array<const char*, kSpectralFeatureCount>& SpectralFeatureNames();

// kInvalidArgument for images under 16 x 16 or that are not 3-channel.
Result<SpectralFeatures> ComputeSpectralFeatures(const media::RgbImage& image);

}  // namespace needle::detect
