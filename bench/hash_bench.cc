// needle hashing benchmarks, one core.
//
// Inputs (made once per run, in memory):
//   12MP  a 4032x3024 camera JPEG (../shared exif-rotn-1.jpg, an iPhone photo)
//         or, without ../shared, a 4000x3000 synthetic q90 JPEG
//   1MP   the same photo reduced to 1216x912 and re-encoded at q85 (web-like)
// Cases:
//   Floor/*     libjpeg-turbo decode at 1/8 scale: what `djpeg -scale 1/8` does,
//               bounded by entropy decoding (the floor the fast pipeline is held to)
//   Decode/*    full-size decode to RGB
//   Digests/*   MD5 + SHA-1 + SHA-256 of the file bytes
//   PdqCore/*   PDQ from decoded RGB (luma, Jarosz filter, DCT), fullres
//   Fullres/*   decode + PDQ, the default pipeline
//   Fast/*      scaled decode + PDQ, the fast pipeline
//   FastDecode/* the fast pipeline's scaled, luma-only decode alone
//   FastPdq/*   the fast pipeline's PDQ alone, on that decode
//   NaiveFilter/* the reference's strided column filter, for the 6.7 trap
// bench/run-all turns the JSON output into the ratios the issue asks for.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <vector>

#include "hash/digest.h"
#include "hash/pdq.h"
#include "hash/pdq_pipeline.h"
#include "media/decode.h"
#include "media/encode_helpers.h"
#include "test_support.h"

namespace {

using namespace needle;

struct Inputs {
  std::vector<uint8_t> jpeg12, jpeg1;
  media::RgbImage rgb12, rgb1;
};

media::RgbImage Decode(const std::vector<uint8_t>& b, int min_side = 0) {
  media::DecodeOptions o;
  o.jpeg_min_short_side = min_side;
  auto d = media::Decode(b.data(), b.size(), o);
  if (!d.ok()) {
    std::fprintf(stderr, "bench input does not decode: %s\n", d.status().ToString().c_str());
    std::abort();
  }
  return std::move(d->image);
}

const Inputs& GetInputs() {
  static Inputs in = [] {
    Inputs i;
    auto shared = needle::testing::SharedDir();
    if (shared) i.jpeg12 = needle::testing::ReadFile(*shared + "/vectors/pdq/images/reg-test-input/exif-rotn/exif-rotn-1.jpg");
    if (i.jpeg12.empty()) {
      std::fprintf(stderr, "../shared absent: using a synthetic 12 MP JPEG\n");
      i.jpeg12 = needle::testing::EncodeJpeg(needle::testing::Pattern(4000, 3000, 3), 90);
    }
    i.rgb12 = Decode(i.jpeg12);
    // 1 MP web-like: a 1/2-scaled decode of the photo, cropped, re-encoded at q85.
    media::RgbImage half = Decode(i.jpeg12, 1500);
    needle::testing::Pixels p{1216, 912, 3, {}};
    p.data.resize(size_t(1216) * 912 * 3);
    for (int y = 0; y < 912; ++y)
      std::copy_n(&half.rgb[size_t(y) * half.width * 3], 1216 * 3, &p.data[size_t(y) * 1216 * 3]);
    i.jpeg1 = needle::testing::EncodeJpeg(p, 85);
    i.rgb1 = Decode(i.jpeg1);
    return i;
  }();
  return in;
}

const std::vector<uint8_t>& Jpeg(const benchmark::State& s) { return s.range(0) == 12 ? GetInputs().jpeg12 : GetInputs().jpeg1; }
const media::RgbImage& Rgb(const benchmark::State& s) { return s.range(0) == 12 ? GetInputs().rgb12 : GetInputs().rgb1; }

void SetBytes(benchmark::State& s) {
  s.SetItemsProcessed(s.iterations());
  s.SetBytesProcessed(int64_t(s.iterations()) * int64_t(Jpeg(s).size()));
}

void BM_Floor(benchmark::State& s) {
  const auto& b = Jpeg(s);
  media::DecodeOptions o;
  o.jpeg_min_short_side = 1;  // always the smallest scale: 1/8
  for (auto _ : s) benchmark::DoNotOptimize(media::Decode(b.data(), b.size(), o));
  SetBytes(s);
}

void BM_Decode(benchmark::State& s) {
  const auto& b = Jpeg(s);
  for (auto _ : s) benchmark::DoNotOptimize(media::Decode(b.data(), b.size(), {}));
  SetBytes(s);
}

void BM_Digests(benchmark::State& s) {
  const auto& b = Jpeg(s);
  for (auto _ : s) benchmark::DoNotOptimize(hash::DigestBytes(b.data(), b.size()));
  SetBytes(s);
}

void BM_PdqCore(benchmark::State& s) {
  const auto& im = Rgb(s);
  for (auto _ : s) benchmark::DoNotOptimize(hash::PdqFromRgb(im.rgb.data(), im.width, im.height));
  SetBytes(s);
}

void HashPipeline(benchmark::State& s, hash::Pipeline p) {
  const auto& b = Jpeg(s);
  media::DecodeOptions o = hash::DecodeOptionsFor(p, {});
  for (auto _ : s) {
    auto d = media::Decode(b.data(), b.size(), o);
    benchmark::DoNotOptimize(hash::HashImage(*d, p));
  }
  SetBytes(s);
}
// The fast pipeline's decode alone (scaled, luma only): the rest of Fast/* is PDQ.
void BM_FastDecode(benchmark::State& s) {
  const auto& b = Jpeg(s);
  media::DecodeOptions o = hash::DecodeOptionsFor(hash::Pipeline::kFast, {});
  for (auto _ : s) benchmark::DoNotOptimize(media::Decode(b.data(), b.size(), o));
  SetBytes(s);
}

// The fast pipeline's PDQ alone, on the scaled luma it decodes.
void BM_FastPdq(benchmark::State& s) {
  const auto& b = Jpeg(s);
  auto d = media::Decode(b.data(), b.size(), hash::DecodeOptionsFor(hash::Pipeline::kFast, {}));
  for (auto _ : s) benchmark::DoNotOptimize(hash::HashImage(*d, hash::Pipeline::kFast));
  SetBytes(s);
}

void BM_Fullres(benchmark::State& s) { HashPipeline(s, hash::Pipeline::kFullres); }
void BM_Fast(benchmark::State& s) { HashPipeline(s, hash::Pipeline::kFast); }

// The reference's filter loops on a power-of-two and a nearby size.
void BM_NaiveFilter(benchmark::State& s) {
  const int n = static_cast<int>(s.range(0));
  std::vector<float> a(size_t(n) * n, 1.0f), b(a.size());
  int w = hash::internal::JaroszWindow(n, 64);
  for (auto _ : s) hash::internal::JaroszFilterNaive(a.data(), b.data(), n, n, w, w);
}
void BM_BlockedFilter(benchmark::State& s) {
  const int n = static_cast<int>(s.range(0));
  std::vector<float> a(size_t(n) * n, 1.0f), b(a.size());
  int w = hash::internal::JaroszWindow(n, 64);
  for (auto _ : s) hash::internal::JaroszFilter(a.data(), b.data(), n, n, w, w);
}

#define SIZES ->Arg(12)->Arg(1)->Unit(benchmark::kMillisecond)
BENCHMARK(BM_Floor) SIZES;
BENCHMARK(BM_Decode) SIZES;
BENCHMARK(BM_Digests) SIZES;
BENCHMARK(BM_PdqCore) SIZES;
BENCHMARK(BM_Fullres) SIZES;
BENCHMARK(BM_Fast) SIZES;
BENCHMARK(BM_FastDecode) SIZES;
BENCHMARK(BM_FastPdq) SIZES;
BENCHMARK(BM_NaiveFilter)->Arg(1024)->Arg(1030)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BlockedFilter)->Arg(1024)->Arg(1030)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
