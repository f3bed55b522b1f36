// detector-features: the baseline's spectral features (src/detect/spectral_features.h)
// computed by the product's own code, for the training tools.
//
//   build/detector-features CROPS.u8 N SIZE > features.csv
//       CROPS.u8 holds N x SIZE x SIZE x 3 uint8 RGB (what tools/train/synth.py
//       writes); one CSV row per crop, under a header of feature names.
//   build/detector-features --files < paths.txt > features.csv
//       each image file named on stdin, whole and at native resolution, under
//       the three conditions of `needle eval-detector` (0 as-is, 1
//       format-matched, 2 laundered): rows "path,condition,features...".
//       Files that fail to decode are reported on stderr and skipped.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "detect/evaluation.h"
#include "detect/spectral_features.h"

namespace {

void PrintRow(const needle::detect::SpectralFeatures& f) {
  for (size_t i = 0; i < f.size(); ++i) std::printf("%s%.9g", i ? "," : "", f[i]);
  std::printf("\n");
}

int FilesMode() {
  using namespace needle::detect;
  int failed = 0;
  std::string path;
  while (std::getline(std::cin, path)) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    for (int c = 0; c < 3; ++c) {
      auto img = ApplyCondition(bytes, kConditions[c]);
      auto f = img.ok() ? ComputeSpectralFeatures(*img) : needle::Result<SpectralFeatures>(img.status());
      if (!f.ok()) {
        std::cerr << "detector-features: " << path << " (" << ConditionName(kConditions[c])
                  << "): " << f.status().ToString() << "\n";
        ++failed;
        continue;
      }
      std::printf("%s,%d,", path.c_str(), c);
      PrintRow(*f);
    }
  }
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--files") == 0) return FilesMode();
  if (argc != 4) {
    std::cerr << "usage: detector-features CROPS.u8 N SIZE > features.csv\n"
                 "       detector-features --files < paths.txt > features.csv\n";
    return 2;
  }
  const long n = std::atol(argv[2]), size = std::atol(argv[3]);
  std::ifstream in(argv[1], std::ios::binary);
  if (!in || n <= 0 || size < 16) {
    std::cerr << "detector-features: cannot read " << argv[1] << " or bad N/SIZE\n";
    return 2;
  }
  needle::media::RgbImage img;
  img.width = img.height = static_cast<int>(size);
  img.rgb.resize(static_cast<size_t>(size * size * 3));
  const auto& names = needle::detect::SpectralFeatureNames();
  for (size_t i = 0; i < names.size(); ++i) std::printf("%s%s", i ? "," : "", names[i]);
  std::printf("\n");
  for (long k = 0; k < n; ++k) {
    if (!in.read(reinterpret_cast<char*>(img.rgb.data()), static_cast<std::streamsize>(img.rgb.size()))) {
      std::cerr << "detector-features: file ends at crop " << k << "\n";
      return 1;
    }
    auto f = needle::detect::ComputeSpectralFeatures(img);
    if (!f.ok()) {
      std::cerr << "detector-features: " << f.status().ToString() << "\n";
      return 1;
    }
    PrintRow(*f);
  }
  return 0;
}
