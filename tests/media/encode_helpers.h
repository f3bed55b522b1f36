// Encoders for test images, so decode tests can start from known pixels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace needle::testing {

struct Pixels {
  int width = 0, height = 0, channels = 3;  // 1 (grey), 2 (grey+alpha), 3, 4
  std::vector<uint8_t> data;
};

// A deterministic pattern with texture (so PDQ quality is high).
Pixels Pattern(int width, int height, int channels, uint32_t seed = 1);
// `p` turned 90 degrees counter-clockwise (Pillow's ROTATE_90, PDQ's rot90).
Pixels Rotated90(const Pixels& p);
// The decoded pixels of an image file's bytes (empty on a decode failure).
Pixels DecodePixels(const std::vector<uint8_t>& bytes);
// The RGB the colour policy expects from `p`: alpha dropped, grey replicated.
std::vector<uint8_t> ExpectedRgb(const Pixels& p);

std::vector<uint8_t> EncodePng(const Pixels& p, bool interlaced = false);
std::vector<uint8_t> EncodePng16Grey(int width, int height, const std::vector<uint16_t>& values);
std::vector<uint8_t> EncodeJpeg(const Pixels& p, int quality, int orientation = 0, bool progressive = false);
std::vector<uint8_t> EncodeWebpLossless(const Pixels& p);
std::vector<uint8_t> EncodeGif(const Pixels& p, bool interlaced = false);  // grey levels -> 256-entry palette
std::vector<uint8_t> EncodeBmp24(const Pixels& p);
std::vector<uint8_t> EncodeTiff(const Pixels& p);  // 8-bit RGB, uncompressed
std::vector<uint8_t> EncodeHeif(const Pixels& p, bool avif);  // lossy; empty when no encoder

}  // namespace needle::testing
