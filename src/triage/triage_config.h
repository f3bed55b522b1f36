// Every threshold triage uses, in one place: config/triage.json, compiled
// into the binary at build time and overridable with a file of the same
// shape. Recorded in the audit log of every run.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "needle/status.h"

namespace needle::triage {

struct TriageConfig {
  int cluster_pdq_distance = 31;
  int cluster_min_quality = 50;
  double detector_synthetic_threshold = 0.5;
  double detector_camera_max_score = 0.2;
  // "model" in the file: take the two thresholds above from the detector's
  // calibration (ApplyDetectorCalibration) instead of fixed numbers.
  bool detector_thresholds_from_model = false;
  std::map<std::string, int> priority;  // class -> rank, 1 = look first
  nlohmann::json raw;                   // as loaded, for the audit log
};

// The built-in config (config/triage.json at build time).
const TriageConfig& DefaultTriageConfig();
Result<TriageConfig> ParseTriageConfig(const std::string& json_text);
Result<TriageConfig> LoadTriageConfig(const std::string& path);

// Fills the thresholds marked "model" from a calibrated detector: a score at
// or above `threshold` is synthetic evidence; at or below `uncertain_from`
// it is consistent with a camera. No-op for thresholds given as numbers.
void ApplyDetectorCalibration(TriageConfig* config, double threshold, double uncertain_from);

}  // namespace needle::triage
