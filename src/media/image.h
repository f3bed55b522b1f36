// Decoded pixels and what we learned about them while decoding.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace needle::media {

enum class Format { kUnknown, kJpeg, kPng, kWebp, kGif, kBmp, kTiff, kHeif, kAvif };

// Stable lowercase name used in JSON output: "jpeg", "png", ...
const char* FormatName(Format f);

// 8-bit RGB, row-major, no padding: rgb.size() == channels * width * height.
// channels is 3, except for a luma-only decode (DecodeOptions::jpeg_luma_only)
// where it is 1 and `rgb` holds grey samples.
//
// Colour policy (matches Pillow's convert("RGB"), which the PDQ reference
// values were produced with): alpha is dropped without compositing, grey is
// replicated to R=G=B, 16-bit samples keep their high byte except 16-bit grey,
// which is clamped to 255, palette entries are looked up, CMYK uses Pillow's
// naive formula. EXIF orientation is recorded, never applied.
struct RgbImage {
  int width = 0;
  int height = 0;
  int channels = 3;
  std::vector<uint8_t> rgb;
};

struct DecodeOptions {
  // Refuse images above this many pixels, checked from the header before any
  // pixel buffer is allocated (decompression bombs).
  uint64_t max_pixels = 200'000'000;
  // JPEG only: when > 0, decode in the DCT domain at the smallest libjpeg
  // scale (1/2, 1/4, 1/8) that keeps the short side >= this many pixels.
  int jpeg_min_short_side = 0;
  // JPEG only, with scaling in effect: decode just the luma (Y) channel,
  // channels = 1. Skips chroma
  // IDCT, upsampling and colour conversion; for the fast PDQ pipeline, whose
  // luma then comes from JPEG's Y (same BT.601 weights, rounded once more).
  bool jpeg_luma_only = false;
  // With jpeg_luma_only at 1/2 scale: needle's reduced IDCT for Y instead of
  // libjpeg-turbo's (media/jpeg_reduced_idct.h; ~20 -> ~15 ns a block, not
  // bit-equal).
  bool jpeg_reduced_idct = false;
  // Called with width x height once the header has passed the limits and
  // before the pixel buffer is allocated; may block (needle scan's budget of
  // pixels in flight, util/pixel_budget.h).
  std::function<void(uint64_t pixels)> before_allocate;
};

struct DecodedImage {
  Format format = Format::kUnknown;
  int width = 0;             // as stored in the file (native, before any scaling)
  int height = 0;
  int orientation = 1;       // EXIF Orientation 1..8 (1 when absent)
  int scale_denom = 1;       // JPEG DCT scaling used (1 = full size)
  RgbImage image;            // possibly scaled: image.width = ceil(width / scale_denom)
  std::vector<std::string> warnings;  // non-fatal decoder messages
};

}  // namespace needle::media
