// The shipped detector's description: models/detector-v1.json.
//
// Written by tools/train (network, Platt scaling, training record) and by
// `needle eval-detector --calibrate` (operating thresholds chosen on real
// camera photos). Loading checks the ONNX file against the recorded SHA-256
// so a case record names exactly the weights that produced a score.
#pragma once

#include <string>

#include "needle/status.h"

namespace needle::detect {

struct DetectorConfig {
  std::string path;          // the JSON file itself
  std::string version;       // "needle-detector-v1"
  std::string onnx_path;     // resolved next to the JSON file
  std::string onnx_sha256;
  int tile = 256;            // native-resolution window side
  int min_side = 32;         // smaller images get no score
  double platt_a = 1, platt_b = 0;  // probability = sigmoid(a * logit + b)
  // Probability at or above which a file is "synthetic-likely" (<= 1% of the
  // calibration reals), and the lower edge of the "uncertain" band (<= 10%).
  double threshold = 0.5;
  double uncertain_from = 0.5;
  // The hand-crafted baseline beside the network (same file).
  std::string baseline_path;  // models/baseline-v1.json, resolved
};

// The default model directory: $NEEDLE_MODEL_DIR, else the source tree's models/.
std::string DefaultModelDir();
// The shipped model description: DefaultModelDir()/detector-v1.json.
std::string DefaultModelPath();

Result<DetectorConfig> LoadDetectorConfig(const std::string& json_path);

}  // namespace needle::detect
