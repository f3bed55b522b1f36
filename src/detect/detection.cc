#include "detect/detection.h"

#include <cmath>

namespace needle::detect {
namespace {

double Round4(double v) { return std::round(v * 1e4) / 1e4; }

}  // namespace

const char* Band(double probability, const DetectorConfig& config) {
  if (probability >= config.threshold) return "synthetic-likely";
  if (probability >= config.uncertain_from) return "uncertain";
  return "no-synthetic-evidence";
}

Result<DetectorSet> DetectorSet::Load(const std::string& config_path) {
  NEEDLE_ASSIGN_OR_RETURN(DetectorConfig config, LoadDetectorConfig(config_path));
  NEEDLE_ASSIGN_OR_RETURN(std::unique_ptr<NetworkDetector> net, NetworkDetector::Load(config));
  NEEDLE_ASSIGN_OR_RETURN(BaselineDetector base, BaselineDetector::Load(config.baseline_path));
  DetectorSet set;
  set.network_ = std::move(net);
  set.baseline_ = std::make_shared<const BaselineDetector>(std::move(base));
  return set;
}

DetectorSet DetectorSet::Clone() const {
  DetectorSet copy;
  copy.network_ = network_->Clone();
  copy.baseline_ = baseline_;
  return copy;
}

Result<Detection> DetectorSet::Run(const media::RgbImage& image) {
  Detection d;
  NEEDLE_ASSIGN_OR_RETURN(d.network, network_->Score(image));
  d.band = Band(d.network.probability, config());
  if (auto b = baseline_->Score(image); b.ok()) {
    d.has_baseline = true;
    d.baseline = *b;
  }
  return d;
}

nlohmann::json DetectionJson(const Detection& d, const DetectorSet& set) {
  nlohmann::json rows = nlohmann::json::array();
  for (int r = 0; r < d.network.grid.rows; ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (int c = 0; c < d.network.grid.cols; ++c) {
      row.push_back(Round4(d.network.tile_probability[static_cast<size_t>(r) * d.network.grid.cols + c]));
    }
    rows.push_back(std::move(row));
  }
  const Tile& t0 = d.network.grid.tiles.front();
  nlohmann::json j = {
      {"probability", Round4(d.network.probability)},
      {"band", d.band},
      {"threshold", Round4(set.config().threshold)},
      {"model", set.config().version},
      {"tiles", {{"width", t0.width}, {"height", t0.height}, {"rows", d.network.grid.rows},
                 {"cols", d.network.grid.cols}, {"probability", std::move(rows)}}},
  };
  if (d.has_baseline) {
    j["baseline"] = {{"probability", Round4(d.baseline.probability)},
                     {"synthetic", d.baseline.probability >= set.baseline().threshold()},
                     {"model", set.baseline().version()}};
  }
  return j;
}

}  // namespace needle::detect
