#include "report/html_report.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "needle/version.h"
#include "report/thumbnail.h"
#include "store/bank_store.h"

namespace needle::report {

std::string HtmlEscape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

namespace {

// A bar chart as inline SVG: one bar per bucket.
std::string SvgHistogram(const std::vector<int>& counts, const std::vector<std::string>& labels, const std::string& title) {
  const int w = 28, gap = 4, h = 120;
  int max = 1;
  for (int c : counts) max = std::max(max, c);
  std::string s = "<figure><figcaption>" + HtmlEscape(title) + "</figcaption><svg role=\"img\" width=\"" +
                  std::to_string(int(counts.size()) * (w + gap) + 10) + "\" height=\"" + std::to_string(h + 30) +
                  "\">";
  for (size_t i = 0; i < counts.size(); ++i) {
    int bh = counts[i] * h / max;
    int x = 5 + int(i) * (w + gap);
    s += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(h - bh) + "\" width=\"" + std::to_string(w) +
         "\" height=\"" + std::to_string(bh) + "\" class=\"bar\"><title>" + HtmlEscape(labels[i]) + ": " +
         std::to_string(counts[i]) + "</title></rect>";
    s += "<text x=\"" + std::to_string(x + w / 2) + "\" y=\"" + std::to_string(h + 14) +
         "\" text-anchor=\"middle\" class=\"axis\">" + HtmlEscape(labels[i]) + "</text>";
  }
  return s + "</svg></figure>";
}

// The pixel detector's tile heat map as a small inline SVG grid: one cell per
// tile, shaded by its probability, with the value in the cell's tooltip. Shows
// where in the picture the evidence sits without showing the picture.
std::string DetectorHeatMap(const nlohmann::json& det) {
  const auto& tiles = det["tiles"];
  const int rows = tiles.value("rows", 0), cols = tiles.value("cols", 0);
  if (rows <= 0 || cols <= 0 || !tiles.contains("probability")) return "";
  const int cell = std::clamp(160 / std::max(rows, cols), 2, 12);
  std::string s = "<svg class=\"heat\" role=\"img\" width=\"" + std::to_string(cols * cell) + "\" height=\"" +
                  std::to_string(rows * cell) + "\"><title>detector tiles: darker = more likely synthetic</title>";
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const double p = tiles["probability"][r][c].get<double>();
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#b03a2e\" fill-opacity=\"%.2f\" "
                    "stroke=\"#ddd\"><title>%.2f</title></rect>",
                    c * cell, r * cell, cell, cell, std::clamp(p, 0.03, 1.0), p);
      s += buf;
    }
  }
  return s + "</svg>";
}

const char* kStyle = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:6px;vertical-align:top;text-align:left}
.cls{font-weight:600;padding:2px 6px;border-radius:4px;white-space:nowrap}
.camera-likely{background:#fde2e2}.unknown{background:#eee}.unreadable{background:#fff3c4}
.synthetic-likely,.synthetic-proven{background:#e0ecff}.known{background:#e6e6e6}.suppressed{background:#f4f4f4}
.thumb{width:96px;height:96px;object-fit:cover;filter:blur(10px) grayscale(1);cursor:pointer;border-radius:4px}
.thumb.revealed{filter:none}
.bar{fill:#4a6fa5}.axis{font-size:10px}
.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.summary td{border:none;padding:2px 12px 2px 0}
)css";

// One revealed thumbnail at a time: revealing one re-blurs the others.
const char* kScript = R"js(
document.addEventListener('click', function (e) {
  var t = e.target;
  if (!t.classList || !t.classList.contains('thumb')) return;
  var was = t.classList.contains('revealed');
  document.querySelectorAll('.thumb.revealed').forEach(function (x) { x.classList.remove('revealed'); });
  if (!was) t.classList.add('revealed');
});
)js";

}  // namespace

void WriteHtml(const std::vector<store::ItemRow>& items, const nlohmann::json& clusters, const ReportOptions& o,
               std::ostream& out) {
  std::map<std::string, int> counts;
  std::vector<int> dist_buckets(8, 0);  // PDQ match distances 0-3, 4-7, ... 28-31
  for (const auto& r : items) {
    counts[r.klass]++;
    for (const auto& m : r.matches)
      if (m.value("type", "") == "pdq") dist_buckets[std::min(7, m.value("distance", 0) / 4)]++;
  }
  std::vector<int> score_buckets(10, 0);
  int scored = 0;
  for (const auto& r : items)
    if (r.item.contains("detector_score")) {
      ++scored;
      score_buckets[std::min(9, int(r.item["detector_score"].get<double>() * 10))]++;
    }

  out << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
         "<title>needle case report</title><style>"
      << kStyle << "</style></head><body>";
  out << "<h1>needle case report</h1><p>Generated " << HtmlEscape(store::NowUtc()) << " by needle " << NEEDLE_VERSION
      << ". Items are listed in triage priority order. "
      << (o.thumbnails ? "Thumbnails are blurred and greyscale; click one to reveal it (one at a time)."
                       : "Hash-only report: no thumbnails.")
      << "</p>";
  out << "<h2>Summary</h2><table class=\"summary\">";
  for (const char* k : {"camera-likely", "unknown", "unreadable", "synthetic-likely", "synthetic-proven", "known",
                        "suppressed"})
    out << "<tr><td><span class=\"cls " << k << "\">" << k << "</span></td><td>" << counts[k] << "</td></tr>";
  out << "<tr><td>items</td><td>" << items.size() << "</td></tr><tr><td>clusters</td><td>" << clusters.size()
      << "</td></tr></table>";
  out << SvgHistogram(dist_buckets, {"0-3", "4-7", "8-11", "12-15", "16-19", "20-23", "24-27", "28-31"},
                      "PDQ distance of bank matches");
  if (scored > 0)
    out << SvgHistogram(score_buckets, {".0", ".1", ".2", ".3", ".4", ".5", ".6", ".7", ".8", ".9"},
                        "Detector scores");
  else
    out << "<p>Detector scores: no pixel detector ran in this scan.</p>";

  out << "<h2>Items</h2><table><tr><th>#</th>" << (o.thumbnails ? "<th>Thumbnail</th>" : "")
      << "<th>Class</th><th>File</th><th>Why</th><th>Findings</th></tr>";
  int n = 0;
  for (const auto& r : items) {
    out << "<tr><td>" << ++n << "</td>";
    if (o.thumbnails) {
      out << "<td>";
      if (r.error_code.empty() && !r.paths.empty()) {
        auto uri = ThumbnailDataUri(r.paths[0]);
        if (uri.ok()) out << "<img class=\"thumb\" alt=\"thumbnail (click to reveal)\" src=\"" << *uri << "\">";
        else out << "no thumbnail";
      }
      out << "</td>";
    }
    out << "<td><span class=\"cls " << HtmlEscape(r.klass) << "\">" << HtmlEscape(r.klass) << "</span>";
    if (r.cluster_id) out << "<br>cluster " << r.cluster_id;
    out << "</td><td>";
    for (const auto& p : r.paths) out << "<div>" << HtmlEscape(p) << "</div>";
    out << "<div class=\"mono\">sha256 " << HtmlEscape(r.sha256) << "</div>";
    if (r.item.contains("pdq")) out << "<div class=\"mono\">pdq " << HtmlEscape(r.item["pdq"].get<std::string>()) << "</div>";
    out << "</td><td><ul>";
    for (const auto& s : r.explanation) out << "<li>" << HtmlEscape(s.get<std::string>()) << "</li>";
    out << "</ul></td><td><ul>";
    for (const auto& f : r.findings)
      out << "<li><b>" << HtmlEscape(f.value("signal", "")) << "</b> (" << HtmlEscape(f.value("direction", "")) << ", "
          << HtmlEscape(f.value("strength", "")) << "): " << HtmlEscape(f.value("summary", "")) << "</li>";
    if (r.item.contains("detector") && r.item["detector"].contains("probability")) {
      const auto& det = r.item["detector"];
      char buf[160];
      std::snprintf(buf, sizeof buf, "p(synthetic) %.2f, threshold %.2f", det["probability"].get<double>(),
                    det.value("threshold", 0.0));
      out << "<li><b>pixel detector</b> (" << HtmlEscape(det.value("band", "")) << "): " << buf << "<br>"
          << DetectorHeatMap(det) << "</li>";
    }
    out << "</ul></td></tr>";
  }
  out << "</table>";
  out << "<h2>Clusters</h2><table><tr><th>Cluster</th><th>Class</th><th>Members</th></tr>";
  for (const auto& c : clusters)
    out << "<tr><td>" << c.value("id", 0) << "</td><td>" << HtmlEscape(c.value("class", "")) << "</td><td>"
        << c.value("members", nlohmann::json::array()).size() << " items</td></tr>";
  out << "</table><script>" << kScript << "</script></body></html>\n";
}

}  // namespace needle::report
