#include "triage/triage_config.h"

#include <fstream>
#include <sstream>

#include "triage_config_default.h"  // generated from config/triage.json

namespace needle::triage {

Result<TriageConfig> ParseTriageConfig(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("triage config is not a JSON object");
  TriageConfig c;
  c.raw = j;
  try {
    c.cluster_pdq_distance = j.at("cluster").at("pdq_distance").get<int>();
    c.cluster_min_quality = j.at("cluster").at("min_quality").get<int>();
    const auto& det = j.at("detector");
    for (const char* k : {"synthetic_threshold", "camera_max_score"}) {
      if (det.at(k).is_string() && det.at(k).get<std::string>() != "model")
        return InvalidArgument(std::string("triage config: detector.") + k + " must be a number or \"model\"");
    }
    c.detector_thresholds_from_model = det.at("synthetic_threshold").is_string();
    if (!det.at("synthetic_threshold").is_string())
      c.detector_synthetic_threshold = det.at("synthetic_threshold").get<double>();
    if (!det.at("camera_max_score").is_string())
      c.detector_camera_max_score = det.at("camera_max_score").get<double>();
    else
      c.detector_thresholds_from_model = true;
    for (auto& [k, v] : j.at("priority").items()) c.priority[k] = v.get<int>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("triage config: ") + e.what());
  }
  for (const char* k : {"camera-likely", "unknown", "unreadable", "synthetic-likely", "synthetic-proven", "known",
                        "suppressed"})
    if (!c.priority.count(k)) return InvalidArgument(std::string("triage config: no priority for class ") + k);
  if (c.cluster_pdq_distance < 0 || c.cluster_pdq_distance > 63)
    return InvalidArgument("triage config: cluster.pdq_distance must be 0..63");
  return c;
}

const TriageConfig& DefaultTriageConfig() {
  static const TriageConfig c = [] {
    auto r = ParseTriageConfig(kDefaultTriageConfig);
    return r.ok() ? *r : TriageConfig{};
  }();
  return c;
}

Result<TriageConfig> LoadTriageConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound(path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseTriageConfig(ss.str());
}

void ApplyDetectorCalibration(TriageConfig* config, double threshold, double uncertain_from) {
  const auto& det = config->raw.contains("detector") ? config->raw["detector"] : nlohmann::json::object();
  if (det.value("synthetic_threshold", nlohmann::json()).is_string()) config->detector_synthetic_threshold = threshold;
  if (det.value("camera_max_score", nlohmann::json()).is_string()) config->detector_camera_max_score = uncertain_from;
}

}  // namespace needle::triage
