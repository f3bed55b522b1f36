// A piece of evidence about where a file came from, in words a person reads.
// Every provenance signal (C2PA, metadata, watermark) and the pixel detector
// produce findings; triage fuses them into one verdict.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace needle::provenance {

enum class Direction { kSynthetic, kCamera, kEdited, kNone };
enum class Strength { kDecisive, kStrong, kSupporting, kWeak };

const char* DirectionName(Direction d);
const char* StrengthName(Strength s);

struct Finding {
  std::string signal;  // "c2pa", "metadata.generator", "exif.camera", "watermark", "detector"...
  Direction direction = Direction::kNone;
  Strength strength = Strength::kWeak;
  std::string summary;  // one sentence
  nlohmann::json details = nlohmann::json::object();
};

nlohmann::ordered_json ToJson(const Finding& f);
Finding FindingFromJson(const nlohmann::json& j);

}  // namespace needle::provenance
