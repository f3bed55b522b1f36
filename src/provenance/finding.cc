#include "provenance/finding.h"

namespace needle::provenance {

const char* DirectionName(Direction d) {
  switch (d) {
    case Direction::kSynthetic: return "synthetic";
    case Direction::kCamera: return "camera";
    case Direction::kEdited: return "edited";
    case Direction::kNone: return "none";
  }
  return "none";
}

const char* StrengthName(Strength s) {
  switch (s) {
    case Strength::kDecisive: return "decisive";
    case Strength::kStrong: return "strong";
    case Strength::kSupporting: return "supporting";
    case Strength::kWeak: return "weak";
  }
  return "weak";
}

nlohmann::ordered_json ToJson(const Finding& f) {
  return {{"signal", f.signal}, {"direction", DirectionName(f.direction)}, {"strength", StrengthName(f.strength)},
          {"summary", f.summary}, {"details", f.details}};
}

Finding FindingFromJson(const nlohmann::json& j) {
  Finding f;
  f.signal = j.value("signal", "");
  f.summary = j.value("summary", "");
  f.details = j.value("details", nlohmann::json::object());
  std::string d = j.value("direction", "none"), s = j.value("strength", "weak");
  f.direction = d == "synthetic" ? Direction::kSynthetic : d == "camera" ? Direction::kCamera
                : d == "edited" ? Direction::kEdited : Direction::kNone;
  f.strength = s == "decisive" ? Strength::kDecisive : s == "strong" ? Strength::kStrong
               : s == "supporting" ? Strength::kSupporting : Strength::kWeak;
  return f;
}

}  // namespace needle::provenance
