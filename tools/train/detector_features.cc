// detector-features: the baseline's spectral features (src/detect/spectral_features.h)
// for the training crops that tools/train/synth.py writes, so the logistic
// regression is trained on exactly the features the product computes.
//
//   build/detector-features CROPS.u8 N SIZE > features.csv
//
// CROPS.u8 holds N x SIZE x SIZE x 3 uint8 RGB. One CSV row per crop.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "detect/spectral_features.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: detector-features CROPS.u8 N SIZE > features.csv\n";
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
    for (size_t i = 0; i < f->size(); ++i) std::printf("%s%.9g", i ? "," : "", (*f)[i]);
    std::printf("\n");
  }
  return 0;
}
