#include "detect/baseline_detector.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace needle::detect {

Result<BaselineDetector> BaselineDetector::Load(const std::string& json_path) {
  std::ifstream in(json_path);
  if (!in) return NotFound(json_path + ": baseline model not found");
  BaselineDetector d;
  try {
    nlohmann::json j;
    in >> j;
    d.version_ = j.at("version").get<std::string>();
    const auto names = j.at("features").get<std::vector<std::string>>();
    d.mean_ = j.at("mean").get<std::vector<double>>();
    d.scale_ = j.at("scale").get<std::vector<double>>();
    d.weights_ = j.at("weights").get<std::vector<double>>();
    d.bias_ = j.at("bias").get<double>();
    d.threshold_ = j.value("threshold", 0.5);
    const auto& expected = SpectralFeatureNames();
    if (names.size() != expected.size() || d.mean_.size() != expected.size() ||
        d.scale_.size() != expected.size() || d.weights_.size() != expected.size()) {
      return Corrupt(json_path + ": feature count differs from this build's; retrain the baseline");
    }
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] != expected[i]) return Corrupt(json_path + ": feature '" + names[i] + "' is not this build's");
    }
  } catch (const std::exception& e) {
    return Corrupt(json_path + ": " + e.what());
  }
  return d;
}

BaselineScore BaselineDetector::ScoreFeatures(const SpectralFeatures& f) const {
  double z = bias_;
  for (size_t i = 0; i < f.size(); ++i) z += weights_[i] * (f[i] - mean_[i]) / scale_[i];
  return {z, 1.0 / (1.0 + std::exp(-z))};
}

Result<BaselineScore> BaselineDetector::Score(const media::RgbImage& image) const {
  NEEDLE_ASSIGN_OR_RETURN(SpectralFeatures f, ComputeSpectralFeatures(image));
  return ScoreFeatures(f);
}

}  // namespace needle::detect
