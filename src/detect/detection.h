// One image's pixel evidence: the network's calibrated probability with its
// tile heat map, the baseline's probability, and the band a person reads.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "detect/baseline_detector.h"
#include "detect/network_detector.h"
#include "media/image.h"
#include "needle/status.h"

namespace needle::detect {

// "synthetic-likely" (probability >= threshold: at most 1% of calibration
// camera photos reach it), "uncertain" (>= uncertain_from, 10%), else
// "no-synthetic-evidence". Never "real": a low score is absence of evidence.
const char* Band(double probability, const DetectorConfig& config);

struct Detection {
  NetworkScore network;
  std::string band;
  bool has_baseline = false;
  BaselineScore baseline;
};

// The network and the baseline loaded together from a model description.
class DetectorSet {
 public:
  static Result<DetectorSet> Load(const std::string& config_path);
  DetectorSet Clone() const;  // for another thread
  Result<Detection> Run(const media::RgbImage& image);
  const DetectorConfig& config() const { return network_->config(); }
  const BaselineDetector& baseline() const { return *baseline_; }

 private:
  std::shared_ptr<NetworkDetector> network_;
  std::shared_ptr<const BaselineDetector> baseline_;
};

// {"probability", "band", "threshold", "model", "tiles": {"size", "rows",
// "cols", "probability": [[...], ...]}, "baseline": {"probability",
// "synthetic", "model"}}
nlohmann::json DetectionJson(const Detection& d, const DetectorSet& set);

}  // namespace needle::detect
