// libFuzzer target: every image decoder (chosen by content) on arbitrary
// bytes, with a small pixel limit so the fuzzer explores parsing, not memory.
// JPEGs are decoded a second time as the fast pipeline does (DCT-scaled, luma
// only, needle's reduced IDCT), a path of its own through libjpeg.
#include <cstddef>
#include <cstdint>

#include "media/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  needle::media::DecodeOptions o;
  o.max_pixels = 4'000'000;
  auto r = needle::media::Decode(data, size, o);
  if (size >= 2 && data[0] == 0xFF && data[1] == 0xD8) {
    o.jpeg_min_short_side = 16;
    o.jpeg_luma_only = true;
    o.jpeg_reduced_idct = true;
    auto fast = needle::media::Decode(data, size, o);
    (void)fast;
  }
  (void)r;
  return 0;
}
