// `needle eval-detector`: scores a labelled manifest under three conditions
// the command creates itself, so that format and size cannot stand in for
// "generated":
//   as-is           the files as they are;
//   format-matched  every file decoded and re-encoded as JPEG q90 (metadata gone);
//   laundered       resized to 0.5 with area interpolation, then JPEG q75.
// Re-encoded bytes go back through needle's own decoder, as evidence would.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "detect/detection.h"
#include "media/image.h"
#include "needle/status.h"

namespace needle::detect {

struct ManifestRow {
  std::string file;        // resolved against the manifest's folder
  bool generated = false;  // label "generated" (else "real")
  std::string generator;   // empty for reals
  std::string source;      // source_repo column, when present
};

// Needs a header with file,label,generator; label must be real or generated.
// kInvalidArgument names the line at fault.
Result<std::vector<ManifestRow>> ReadManifest(const std::string& path);

enum class Condition { kAsIs, kFormatMatched, kLaundered };
inline constexpr Condition kConditions[] = {Condition::kAsIs, Condition::kFormatMatched, Condition::kLaundered};
const char* ConditionName(Condition c);

// Decoded pixels of `bytes` under the condition.
Result<media::RgbImage> ApplyCondition(const std::vector<uint8_t>& bytes, Condition c);

// Scores of one file under one condition.
struct RowScore {
  double network = 0;
  double baseline = 0;
  bool has_baseline = false;
};

struct EvalOptions {
  double max_fpr = 0.01;
  std::function<void(size_t done, size_t total)> progress;
};

struct EvalResult {
  // [row][condition]; rows that failed to load have an error instead.
  std::vector<std::array<RowScore, 3>> scores;
  std::vector<std::string> errors;  // per row, empty when fine
};

EvalResult ScoreManifest(const std::vector<ManifestRow>& rows, DetectorSet& set, const EvalOptions& options);

// The report: {"threshold", "conditions": {NAME: {"n", "auc",
// "tpr_at_1pct_fpr", "accuracy", "false_positive_rate", "per_generator":
// {G: {"n", "auc", "detected"}}, "per_source": {S: {"n", "auc", "detected",
// "false_positive_rate"}}}}, "baseline": {same for the baseline},
// "failed": [{"file", "error"}]}. `detected` is the share flagged at the
// threshold; AUCs with one class missing are null.
nlohmann::json EvaluationJson(const std::vector<ManifestRow>& rows, const EvalResult& result,
                              double network_threshold, double baseline_threshold, double max_fpr);

}  // namespace needle::detect
