// What happens to an image between decoding and the PDQ core. The same file
// hashes differently under each pipeline, so the pipeline id travels with
// every stored hash (../shared/docs/pdq.md §6.1, §6.6).
#pragma once

#include <optional>
#include <string_view>

#include "hash/pdq.h"
#include "media/image.h"

namespace needle::hash {

enum class Pipeline {
  // Decode at native size, hash. What HMA, python-threatexchange and the Java
  // hasher produce; needle's default and the only one for matching by default.
  kFullres,
  // The reference C++ CLI (pdq-photo-hasher): images wider or taller than 512
  // are first resized to exactly 512x512, nearest neighbour.
  kCimg512,
  // Throughput: JPEG decoded in the DCT domain at reduced scale (short side
  // kept >= kFastMinShortSide), then PDQ. Other formats as fullres.
  kFast,
};

// The short side the fast pipeline keeps (pixels). Chosen by measurement
// (tools/fast-deviation over ../shared): 256 let 1024 px images decode at 1/4
// and drift 34 bits; 384 keeps every scaled JPEG within 30 bits (mean 7.4)
// while 12 MP photos still decode at 1/4, near the entropy-decoding floor.
constexpr int kFastMinShortSide = 384;

const char* PipelineName(Pipeline p);  // "fullres", "cimg512", "fast"
std::optional<Pipeline> ParsePipeline(std::string_view name);

// Decode options the pipeline needs on top of `base`; `fast_min_short_side`
// overrides kFastMinShortSide when > 0.
media::DecodeOptions DecodeOptionsFor(Pipeline p, media::DecodeOptions base, int fast_min_short_side = 0);

// Hash a decoded image under a pipeline (the decode already honoured
// DecodeOptionsFor). A JPEG the fast pipeline decoded at reduced scale is
// filtered rows first (Downsampler::kSampledTent); everything else exactly.
PdqHash HashImage(const media::DecodedImage& decoded, Pipeline p);

// The plain hash and the eight variants from one downsample.
struct PdqWithDihedral {
  PdqHash plain;
  PdqDihedral dihedral;
};
PdqWithDihedral HashImageDihedral(const media::DecodedImage& decoded, Pipeline p);

// The cimg512 pre-resize: 512x512 nearest neighbour, source index x*W/512.
media::RgbImage ResizeNearest512(const media::RgbImage& image);

}  // namespace needle::hash
