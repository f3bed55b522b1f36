// After a scan: verdicts for every item, near-duplicate clusters (PDQ within
// cluster.pdq_distance, both sides of quality >= cluster.min_quality), and
// the inheritance of known / proven-synthetic verdicts inside a cluster.
#pragma once

#include <map>
#include <string>

#include "store/case_store.h"
#include "triage/triage_config.h"

namespace needle::triage {

struct TriageSummary {
  std::map<std::string, int64_t> classes;
  int64_t items = 0, clusters = 0;
};

Result<TriageSummary> RunTriage(store::CaseStore& cs, const TriageConfig& config);

}  // namespace needle::triage
