// libFuzzer target: every image decoder (chosen by content) on arbitrary
// bytes, with a small pixel limit so the fuzzer explores parsing, not memory.
#include <cstddef>
#include <cstdint>

#include "media/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  needle::media::DecodeOptions o;
  o.max_pixels = 4'000'000;
  auto r = needle::media::Decode(data, size, o);
  (void)r;
  return 0;
}
