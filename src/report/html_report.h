// The HTML case report: one self-contained file (no external requests: CSS,
// script, SVG charts and thumbnails are all inline), safe to open offline.
// Thumbnails are blurred and greyscale until clicked, one at a time.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "report/report.h"
#include "store/case_store.h"

namespace needle::report {

void WriteHtml(const std::vector<store::ItemRow>& items, const nlohmann::json& clusters, const ReportOptions& o,
               std::ostream& out);

std::string HtmlEscape(const std::string& s);

}  // namespace needle::report
