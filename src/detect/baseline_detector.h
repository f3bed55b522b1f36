// The cheap baseline beside the network: spectral/residual features
// (spectral_features.h) and a logistic regression trained by
// tools/train/baseline.py on the same synthesised data. It shows in the model
// card what the network adds, and costs a few milliseconds per megapixel.
// Thread-safe after loading (Score is const).
#pragma once

#include <string>
#include <vector>

#include "detect/spectral_features.h"
#include "media/image.h"
#include "needle/status.h"

namespace needle::detect {

struct BaselineScore {
  double logit = 0;
  double probability = 0;
};

class BaselineDetector {
 public:
  // kNotFound / kCorrupt; also kCorrupt when the file's feature names differ
  // from this build's (features changed without retraining).
  static Result<BaselineDetector> Load(const std::string& json_path);

  Result<BaselineScore> Score(const media::RgbImage& image) const;
  BaselineScore ScoreFeatures(const SpectralFeatures& f) const;

  const std::string& version() const { return version_; }
  double threshold() const { return threshold_; }

 private:
  std::string version_;
  std::vector<double> mean_, scale_, weights_;
  double bias_ = 0;
  double threshold_ = 0.5;
};

}  // namespace needle::detect
