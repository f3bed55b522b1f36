// The learned pixel detector: a small residual CNN (tools/train/model.py) run
// through OpenCV DNN over native-resolution tiles.
//
//   NEEDLE_ASSIGN_OR_RETURN(auto det, detect::NetworkDetector::Load(config));
//   NEEDLE_ASSIGN_OR_RETURN(detect::NetworkScore s, det->Score(decoded.image));
//
// The image's logit is the mean of its tiles' logits; probabilities come from
// the Platt scaling fitted at training time. Pixels only: nothing here reads
// metadata or knows the container format.
// Not thread-safe (an OpenCV Net keeps per-run buffers): one instance per
// thread, from Clone().
#pragma once

#include <memory>
#include <vector>

#include "detect/detector_config.h"
#include "detect/tiling.h"
#include "media/image.h"
#include "needle/status.h"

namespace needle::detect {

struct NetworkScore {
  double logit = 0;
  double probability = 0;
  TileGrid grid;
  std::vector<double> tile_probability;  // row-major, one per grid tile
};

class NetworkDetector {
 public:
  ~NetworkDetector();
  // kNotFound / kCorrupt when the ONNX file is missing, altered (SHA-256
  // differs from the config) or not loadable.
  static Result<std::unique_ptr<NetworkDetector>> Load(const DetectorConfig& config);
  std::unique_ptr<NetworkDetector> Clone() const;

  // kInvalidArgument for images below config().min_side or not 3-channel.
  Result<NetworkScore> Score(const media::RgbImage& image);

  double Probability(double logit) const;
  const DetectorConfig& config() const { return config_; }

 private:
  struct Impl;
  NetworkDetector(DetectorConfig config, std::shared_ptr<const std::vector<unsigned char>> onnx);
  DetectorConfig config_;
  std::shared_ptr<const std::vector<unsigned char>> onnx_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace needle::detect
