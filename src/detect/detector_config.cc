#include "detect/detector_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace needle::detect {

std::string DefaultModelDir() {
  if (const char* env = std::getenv("NEEDLE_MODEL_DIR"); env && *env) return env;
#ifdef NEEDLE_MODEL_DIR
  return NEEDLE_MODEL_DIR;
#else
  return "models";
#endif
}

std::string DefaultModelPath() {
  return (std::filesystem::path(DefaultModelDir()) / "detector-v1.json").string();
}

Result<DetectorConfig> LoadDetectorConfig(const std::string& json_path) {
  std::ifstream in(json_path);
  if (!in) return NotFound(json_path + ": cannot open the detector model description (set --model or NEEDLE_MODEL_DIR)");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    return Corrupt(json_path + ": not valid JSON: " + e.what());
  }
  DetectorConfig c;
  c.path = json_path;
  const std::filesystem::path dir = std::filesystem::path(json_path).parent_path();
  try {
    c.version = j.at("version").get<std::string>();
    c.onnx_path = (dir / j.at("onnx").get<std::string>()).string();
    c.onnx_sha256 = j.at("onnx_sha256").get<std::string>();
    c.tile = j.value("tile", 256);
    c.min_side = j.value("min_side", 32);
    c.platt_a = j.at("platt").at("a").get<double>();
    c.platt_b = j.at("platt").at("b").get<double>();
    c.threshold = j.value("threshold", 0.5);
    c.uncertain_from = j.value("uncertain_from", c.threshold);
    c.baseline_path = (dir / j.value("baseline", std::string("baseline-v1.json"))).string();
  } catch (const std::exception& e) {
    return Corrupt(json_path + ": missing or mistyped field: " + e.what());
  }
  if (c.tile < 32 || c.tile % 2 || c.min_side < 2) return Corrupt(json_path + ": tile must be even and >= 32");
  return c;
}

}  // namespace needle::detect
