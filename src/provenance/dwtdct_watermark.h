// The invisible `dwtDct` watermark that the Stable Diffusion reference
// scripts embed (ShieldMnt/invisible-watermark), decoded bit-exactly as the
// reference decoder does (../shared/docs/provenance.md §4.1): BGR -> YUV
// (OpenCV), one-level Haar of U, 4x4 blocks of LL, the largest AC magnitude
// of each block quantised by 36.
//
// Three public messages are tried: SD 1.x "StableDiffusionV1" (136 bits),
// SD 2.x "SDV2" (32 bits) and SDXL 0xB3EC907BB19E (48 bits), each in four
// variants: 8-bit or float domain (SDXL embeds in float), and with R/B
// swapped (diffusers before Feb 2024). Also an encoder, to make test images.
#pragma once

#include <string>
#include <vector>

#include "media/image.h"

namespace needle::provenance {

struct WatermarkScheme {
  std::string name;          // "StableDiffusionV1", "SDV2", "SDXL48"
  std::vector<int> bits;     // the message, MSB first
  int present_threshold;     // matched bits that count as "present" (provenance.md §4.1)
};
const std::vector<WatermarkScheme>& DwtDctSchemes();

struct WatermarkDecode {
  std::string scheme;
  std::string variant;  // "uint8_bgr", "uint8_rgbswap", "float_bgr", "float_rgbswap"
  int matched = 0;
  int total = 0;
  double p_value = 1.0;  // P(X >= matched | total, 1/2)
  std::string decoded_hex;
};

struct WatermarkResult {
  bool checked = false;       // false when the image is under 256x256
  std::string reason;
  std::vector<WatermarkDecode> decodes;  // every scheme x variant
  WatermarkDecode best;                  // lowest p-value
  bool present = false;                  // best reaches its scheme's threshold
};

// `image` is RGB (needle's decode order); 3 channels required.
WatermarkResult DecodeDwtDct(const media::RgbImage& image);

// Decodes one message length in one variant (exposed for tests).
std::vector<int> DecodeDwtDctBits(const media::RgbImage& image, int length, bool float_domain, bool swap_rb);

// Embeds `bits` the way the reference encoder does (8-bit or float path);
// returns RGB. For making test images only.
media::RgbImage EncodeDwtDct(const media::RgbImage& image, const std::vector<int>& bits, bool float_domain);

// P(X >= k) for X ~ Binomial(n, 1/2).
double BinomialTail(int k, int n);

}  // namespace needle::provenance
