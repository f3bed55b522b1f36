// needle provenance benchmarks, one core.
//   Inspect/jpeg1mp       needle inspect's work on a 1 MP q85 JPEG without C2PA,
//                         beyond reading the file (metadata probe, C2PA search;
//                         the watermark is skipped below q95 by design)
//   C2pa/C.jpg, C2pa/CACA.jpg  full C2PA validation (1 and 2 manifests)
//   Watermark/512, /1024  the dwtDct decoder (4 variants x 3 messages) on RGB pixels
#include <benchmark/benchmark.h>

#include "media/decode.h"
#include "media/encode_helpers.h"
#include "provenance/c2pa_reader.h"
#include "provenance/dwtdct_watermark.h"
#include "provenance/inspector.h"
#include "test_support.h"

namespace {

using namespace needle;

const std::vector<uint8_t>& Jpeg1Mp() {
  static const std::vector<uint8_t> j = [] {
    auto shared = needle::testing::SharedDir();
    std::vector<uint8_t> src;
    if (shared) src = needle::testing::ReadFile(*shared + "/vectors/pdq/images/reg-test-input/exif-rotn/exif-rotn-1.jpg");
    needle::testing::Pixels p{1216, 912, 3, {}};
    if (!src.empty()) {
      media::DecodeOptions o;
      o.jpeg_min_short_side = 1500;
      auto d = media::Decode(src.data(), src.size(), o);
      p.data.resize(size_t(1216) * 912 * 3);
      for (int y = 0; y < 912; ++y)
        std::copy_n(&d->image.rgb[size_t(y) * d->image.width * 3], 1216 * 3, &p.data[size_t(y) * 1216 * 3]);
    } else {
      p = needle::testing::Pattern(1216, 912, 3);
    }
    return needle::testing::EncodeJpeg(p, 85);
  }();
  return j;
}

void BM_InspectJpeg1Mp(benchmark::State& s) {
  const auto& b = Jpeg1Mp();
  auto d = media::Decode(b.data(), b.size(), {});
  for (auto _ : s)
    benchmark::DoNotOptimize(provenance::InspectBytes("x.jpg", "", b.data(), b.size(), &d->image, {}));
}
BENCHMARK(BM_InspectJpeg1Mp)->Unit(benchmark::kMicrosecond);

void BM_C2pa(benchmark::State& s, const char* file) {
  auto shared = needle::testing::SharedDir();
  std::vector<uint8_t> b = needle::testing::ReadFile(needle::testing::DataDir() + "/c2pa/" + file);
  if (b.empty() && shared) b = needle::testing::ReadFile(*shared + "/vectors/c2pa/c2pa-rs/" + file);
  if (b.empty()) {
    s.SkipWithError("fixture missing");
    return;
  }
  size_t manifests = 0;
  for (auto _ : s) {
    auto r = provenance::ReadC2pa(b.data(), b.size(), {});
    manifests = r.manifests.size();
    benchmark::DoNotOptimize(r);
  }
  s.counters["manifests"] = double(manifests);
}
BENCHMARK_CAPTURE(BM_C2pa, C_jpg, "C.jpg")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_C2pa, CACA_jpg, "CACA.jpg")->Unit(benchmark::kMicrosecond);

void BM_Watermark(benchmark::State& s) {
  const int n = static_cast<int>(s.range(0));
  auto p = needle::testing::Pattern(n, n, 3, 5);
  media::RgbImage im{n, n, 3, needle::testing::ExpectedRgb(p)};
  for (auto _ : s) benchmark::DoNotOptimize(provenance::DecodeDwtDct(im));
}
BENCHMARK(BM_Watermark)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
