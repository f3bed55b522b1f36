// needle detector benchmarks, one core (OpenCV DNN limited to one thread).
//   Network/S    the CNN over native-resolution tiles of an S x S image
//                (1024 = 1 MP: target <= 60 ms); shows how cost grows with size
//   Baseline/S   spectral features + logistic regression (target <= 5 ms at 1 MP)
#include <benchmark/benchmark.h>

#include <opencv2/core/utility.hpp>

#include "detect/detection.h"
#include "media/encode_helpers.h"
#include "test_support.h"

namespace {

using namespace needle;

detect::DetectorSet& Set() {
  static detect::DetectorSet set = [] {
    cv::setNumThreads(1);
    auto s = detect::DetectorSet::Load(needle::testing::SourceDir() + "/models/detector-v1.json");
    if (!s.ok()) {
      fprintf(stderr, "%s\n", s.status().ToString().c_str());
      std::abort();
    }
    return std::move(*s);
  }();
  return set;
}

media::RgbImage Image(int w, int h) {
  auto p = needle::testing::Pattern(w, h, 3, 11);
  return media::RgbImage{w, h, 3, needle::testing::ExpectedRgb(p)};
}

void Dims(benchmark::State& s, int* w, int* h) {
  *w = static_cast<int>(s.range(0));
  *h = static_cast<int>(s.range(1));
  s.counters["megapixels"] = *w * double(*h) / 1e6;
}

void BM_Network(benchmark::State& s) {
  int w, h;
  Dims(s, &w, &h);
  auto img = Image(w, h);
  auto& set = Set();
  for (auto _ : s) benchmark::DoNotOptimize(set.Run(img));
}
BENCHMARK(BM_Network)->Args({256, 256})->Args({1024, 1024})->Args({2048, 2048})->Args({4032, 3024})
    ->Unit(benchmark::kMillisecond);

void BM_Baseline(benchmark::State& s) {
  int w, h;
  Dims(s, &w, &h);
  auto img = Image(w, h);
  const auto& base = Set().baseline();
  for (auto _ : s) benchmark::DoNotOptimize(base.Score(img));
}
BENCHMARK(BM_Baseline)->Args({256, 256})->Args({1024, 1024})->Args({2048, 2048})->Args({4032, 3024})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
