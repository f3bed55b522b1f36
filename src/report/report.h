// Case reports: JSON Lines and CSV for machines, VICS 2.0 JSON for exchange,
// and one self-contained offline HTML page for people. Items come in
// priority order (what to look at first, first).
#pragma once

#include <ostream>
#include <string>

#include "needle/status.h"
#include "store/case_store.h"

namespace needle::report {

enum class ReportFormat { kJsonl, kCsv, kVics, kHtml };

struct ReportOptions {
  bool thumbnails = true;  // HTML only: blurred, greyscale thumbnails revealed on click
};

Status WriteReport(store::CaseStore& cs, ReportFormat f, const ReportOptions& o, std::ostream& out);

// Items sorted as every report lists them.
Result<std::vector<store::ItemRow>> SortedItems(store::CaseStore& cs);

}  // namespace needle::report
