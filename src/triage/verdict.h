// The fusion rules: one triage class, a priority and the reasons, from a
// file's bank matches, provenance findings and detector score. All
// thresholds come from TriageConfig (config/triage.json).
//
// Rules, first that applies wins:
//   unreadable        the file could not be read or decoded (error given)
//   known             a match in an alert bank (bank, entry, category, distance)
//   suppressed        a match in a suppress (known-benign) bank only
//   synthetic-proven  a decisive synthetic finding (valid C2PA AI source, decoded watermark)
//   synthetic-likely  a strong synthetic finding (generator metadata, declared
//                     DigitalSourceType) or a detector score >= synthetic_threshold
//   camera-likely     camera evidence, no synthetic evidence, and a detector
//                     score (when there is one) <= camera_max_score
//   unknown           none of the above
// Priority ranks new, likely-camera material first (these may be children
// in harm's way), then unknown, unreadable, synthetic, then known.
//
// Near-duplicates (clusters) inherit only "known": an item clustered with a
// known item is "known" (derived). Synthetic verdicts are NOT inherited: an
// AI edit of a real photo is a near-duplicate of it, and calling the real
// photo synthetic would bury it (the costly error); the cluster is named in
// the reasons instead. Suppression is never inherited either: an edited copy
// of an allowlisted image must still be looked at.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "triage/triage_config.h"

namespace needle::triage {

struct Verdict {
  std::string klass;
  int priority = 0;
  nlohmann::json reasons = nlohmann::json::array();  // sentences a person reads
};

struct VerdictInput {
  std::string error_code, error_message;
  nlohmann::json matches = nlohmann::json::array();   // needle match objects
  nlohmann::json findings = nlohmann::json::array();  // provenance finding objects
  std::optional<double> detector_score;
};

Verdict Decide(const VerdictInput& in, const TriageConfig& config);

// 1 for classes that propagate through a cluster (known), else 0.
int InheritRank(const std::string& klass);

}  // namespace needle::triage
