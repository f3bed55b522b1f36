#include "hash/pdq_pipeline.h"

#include <vector>

namespace needle::hash {

const char* PipelineName(Pipeline p) {
  switch (p) {
    case Pipeline::kFullres: return "fullres";
    case Pipeline::kCimg512: return "cimg512";
    case Pipeline::kFast: return "fast";
  }
  return "fullres";
}

std::optional<Pipeline> ParsePipeline(std::string_view name) {
  if (name == "fullres") return Pipeline::kFullres;
  if (name == "cimg512" || name == "cimg_nn512") return Pipeline::kCimg512;
  if (name == "fast") return Pipeline::kFast;
  return std::nullopt;
}

media::DecodeOptions DecodeOptionsFor(Pipeline p, media::DecodeOptions base, int fast_min_short_side) {
  if (p == Pipeline::kFast) {
    base.jpeg_min_short_side = fast_min_short_side > 0 ? fast_min_short_side : kFastMinShortSide;
    base.jpeg_luma_only = true;
    base.jpeg_reduced_idct = true;
  }
  return base;
}

media::RgbImage ResizeNearest512(const media::RgbImage& in) {
  constexpr int kSide = 512;
  const int c = in.channels;
  media::RgbImage out;
  out.width = kSide;
  out.height = kSide;
  out.channels = c;
  out.rgb.resize(size_t(kSide) * kSide * c);
  std::vector<int> sx(kSide);
  for (int x = 0; x < kSide; ++x) sx[x] = static_cast<int>(int64_t(x) * in.width / kSide);
  for (int y = 0; y < kSide; ++y) {
    const int sy = static_cast<int>(int64_t(y) * in.height / kSide);
    const uint8_t* src = in.rgb.data() + size_t(sy) * in.width * c;
    uint8_t* dst = out.rgb.data() + size_t(y) * kSide * c;
    for (int x = 0; x < kSide; ++x)
      for (int k = 0; k < c; ++k) dst[c * x + k] = src[c * sx[x] + k];
  }
  return out;
}

namespace {
bool NeedsCimgResize(const media::RgbImage& im, Pipeline p) {
  return p == Pipeline::kCimg512 && (im.width > 512 || im.height > 512);
}
Downsampler DownsamplerFor(const media::DecodedImage& d, Pipeline p) {
  return p == Pipeline::kFast && d.scale_denom > 1 ? Downsampler::kSampledTent : Downsampler::kReference;
}
}  // namespace

PdqHash HashImage(const media::DecodedImage& decoded, Pipeline p) {
  const media::RgbImage& image = decoded.image;
  if (NeedsCimgResize(image, p)) {
    media::RgbImage small = ResizeNearest512(image);
    return PdqFromRgb(small.rgb.data(), small.width, small.height, small.channels);
  }
  return PdqFromRgb(image.rgb.data(), image.width, image.height, image.channels, DownsamplerFor(decoded, p));
}

PdqWithDihedral HashImageDihedral(const media::DecodedImage& decoded, Pipeline p) {
  const media::RgbImage& image = decoded.image;
  media::RgbImage small;
  const media::RgbImage* im = &image;
  if (NeedsCimgResize(image, p)) {
    small = ResizeNearest512(image);
    im = &small;
  }
  PdqWithDihedral out;
  out.dihedral = PdqDihedralFromRgb(im->rgb.data(), im->width, im->height, im->channels, DownsamplerFor(decoded, p));
  // Only exactly 64x64 input takes the plain entry point's shortcut, where
  // the two entry points can disagree (pdq.md §2.3 step 5).
  if (im->width == 64 && im->height == 64) out.plain = PdqFromRgb(im->rgb.data(), 64, 64, im->channels);
  else out.plain = PdqHash{out.dihedral.orig, out.dihedral.quality};
  return out;
}

}  // namespace needle::hash
