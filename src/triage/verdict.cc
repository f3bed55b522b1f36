#include "triage/verdict.h"

namespace needle::triage {

namespace {
std::string MatchReason(const nlohmann::json& m) {
  std::string s = "matches bank " + m.value("bank", "?") + " entry " + std::to_string(m.value("entry", 0)) + " by " +
                  m.value("type", "?");
  if (m.value("type", "") == "pdq") s += " at distance " + std::to_string(m.value("distance", 0));
  const std::string variant = m.value("variant", "");
  if (variant == "oriented") s += " (the EXIF-upright image)";
  else if (!variant.empty()) s += " (as a rotated or mirrored copy: " + variant + ")";
  if (m.contains("category")) s += ", category " + m["category"].get<std::string>();
  return s;
}
int Rank(const TriageConfig& c, const std::string& k) {
  auto it = c.priority.find(k);
  return it == c.priority.end() ? 99 : it->second;
}
}  // namespace

int InheritRank(const std::string& k) { return k == "known" ? 1 : 0; }

namespace {
Verdict DecideClass(const VerdictInput& in, const TriageConfig& c);
}  // namespace

Verdict Decide(const VerdictInput& in, const TriageConfig& c) {
  Verdict v = DecideClass(in, c);
  // Evidence of editing or tampering is always worth reading, whatever the class.
  for (const auto& f : in.findings)
    if (f.value("direction", "") == "edited") {
      const std::string s = f.value("summary", "");
      bool listed = false;
      for (const auto& r : v.reasons) listed |= r.get<std::string>() == s;
      if (!listed) v.reasons.push_back(s);
    }
  return v;
}

namespace {
Verdict DecideClass(const VerdictInput& in, const TriageConfig& c) {
  Verdict v;
  auto set = [&](const std::string& k) {
    v.klass = k;
    v.priority = Rank(c, k);
  };
  if (!in.error_code.empty()) {
    set("unreadable");
    v.reasons.push_back("could not be processed: " + in.error_code + " (" + in.error_message + ")");
    return v;
  }
  bool alert = false, suppress = false;
  for (const auto& m : in.matches) {
    bool sup = m.value("bank_kind", "alert") == "suppress";
    (sup ? suppress : alert) = true;
  }
  if (alert) {
    set("known");
    for (const auto& m : in.matches)
      if (m.value("bank_kind", "alert") != "suppress") v.reasons.push_back(MatchReason(m));
    return v;
  }
  if (suppress) {
    set("suppressed");
    for (const auto& m : in.matches) v.reasons.push_back(MatchReason(m) + " (a suppress bank)");
    return v;
  }
  bool decisive_syn = false, strong_syn = false, camera = false, any_syn = false;
  for (const auto& f : in.findings) {
    const std::string dir = f.value("direction", "none"), str = f.value("strength", "weak");
    if (dir == "synthetic") {
      any_syn = true;
      decisive_syn |= str == "decisive";
      strong_syn |= str == "strong";
    }
    camera |= dir == "camera";
  }
  auto add_findings = [&](const std::string& direction) {
    for (const auto& f : in.findings)
      if (f.value("direction", "") == direction) v.reasons.push_back(f.value("summary", ""));
  };
  if (decisive_syn) {
    set("synthetic-proven");
    add_findings("synthetic");
    return v;
  }
  const bool detector_high = in.detector_score && *in.detector_score >= c.detector_synthetic_threshold;
  if (strong_syn || detector_high) {
    set("synthetic-likely");
    add_findings("synthetic");
    if (detector_high) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "the pixel detector scores %.2f (threshold %.2f)", *in.detector_score,
                    c.detector_synthetic_threshold);
      v.reasons.push_back(buf);
    }
    return v;
  }
  const bool detector_low = !in.detector_score || *in.detector_score <= c.detector_camera_max_score;
  if (camera && !any_syn && detector_low) {
    set("camera-likely");
    add_findings("camera");
    if (in.detector_score) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "the pixel detector scores %.2f (camera-like)", *in.detector_score);
      v.reasons.push_back(buf);
    }
    return v;
  }
  set("unknown");
  if (any_syn) add_findings("synthetic");
  if (camera) add_findings("camera");
  if (v.reasons.empty()) v.reasons.push_back("no bank match and no provenance evidence either way");
  return v;
}
}  // namespace

}  // namespace needle::triage
