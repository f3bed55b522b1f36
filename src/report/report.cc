#include "report/report.h"

#include <algorithm>

#include "report/html_report.h"

namespace needle::report {
namespace {

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

nlohmann::ordered_json ItemJson(const store::ItemRow& r) {
  nlohmann::ordered_json j;
  j["sha256"] = r.sha256;
  j["class"] = r.klass;
  j["priority"] = r.priority;
  j["reasons"] = r.explanation;
  j["paths"] = r.paths;
  for (const char* k : {"md5", "sha1", "size", "format", "width", "height", "orientation", "pdq", "pdq_quality",
                        "pdq_oriented", "metadata", "detector_score", "detector"})
    if (r.item.contains(k)) j[k] = r.item[k];
  j["matches"] = r.matches;
  j["findings"] = r.findings;
  if (r.cluster_id) j["cluster"] = r.cluster_id;
  if (!r.error_code.empty()) {
    j["error"] = r.error_code;
    j["message"] = r.error_message;
  }
  return j;
}

}  // namespace

Result<std::vector<store::ItemRow>> SortedItems(store::CaseStore& cs) {
  std::vector<store::ItemRow> items;
  NEEDLE_RETURN_IF_ERROR(cs.ForEachItem([&](store::ItemRow& r) {
    items.push_back(std::move(r));
    return Status::Ok();
  }));
  std::stable_sort(items.begin(), items.end(), [](const store::ItemRow& a, const store::ItemRow& b) {
    return std::tie(a.priority, a.cluster_id, a.paths) < std::tie(b.priority, b.cluster_id, b.paths);
  });
  return items;
}

Status WriteReport(store::CaseStore& cs, ReportFormat f, const ReportOptions& o, std::ostream& out) {
  NEEDLE_ASSIGN_OR_RETURN(auto items, SortedItems(cs));
  switch (f) {
    case ReportFormat::kJsonl:
      for (const auto& r : items) out << ItemJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      break;
    case ReportFormat::kCsv:
      out << "priority,class,sha256,md5,sha1,size,format,pdq,pdq_quality,cluster,matches,reasons,paths,detector_score\n";
      for (const auto& r : items) {
        std::string matches, reasons, paths;
        for (const auto& m : r.matches)
          matches += (matches.empty() ? "" : "; ") + m.value("bank", "") + ":" + std::to_string(m.value("entry", 0)) +
                     ":" + m.value("type", "") + ":" + std::to_string(m.value("distance", 0));
        for (const auto& s : r.explanation) reasons += (reasons.empty() ? "" : " | ") + s.get<std::string>();
        for (const auto& p : r.paths) paths += (paths.empty() ? "" : "; ") + p;
        out << r.priority << ',' << r.klass << ',' << r.sha256 << ',' << r.item.value("md5", "") << ','
            << r.item.value("sha1", "") << ',' << r.item.value("size", 0) << ',' << r.item.value("format", "") << ','
            << r.item.value("pdq", "") << ',' << r.item.value("pdq_quality", 0) << ',' << r.cluster_id << ','
            << CsvField(matches) << ',' << CsvField(reasons) << ',' << CsvField(paths) << ','
            << (r.item.contains("detector_score") ? std::to_string(r.item["detector_score"].get<double>()) : "")
            << '\n';
      }
      break;
    case ReportFormat::kVics: {
      nlohmann::ordered_json env;
      env["@odata.context"] = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media";
      nlohmann::ordered_json media = nlohmann::ordered_json::array();
      for (const auto& r : items) {
        if (!r.item.contains("md5")) continue;  // unreadable files have no hashes to share
        nlohmann::ordered_json m;
        m["MediaID"] = r.id;
        int category = 0;  // 0 = uncategorised: needle never assigns an abuse category itself
        for (const auto& x : r.matches) {
          try {
            if (x.contains("category")) category = std::stoi(x["category"].get<std::string>());
          } catch (...) {
          }
        }
        m["Category"] = category;
        m["MD5"] = Upper(r.item["md5"].get<std::string>());
        m["SHA1"] = Upper(r.item["sha1"].get<std::string>());
        m["MediaSize"] = r.item.value("size", 0);
        m["IsPrecategorized"] = false;
        if (r.cluster_id) m["Series"] = "needle-cluster-" + std::to_string(r.cluster_id);
        nlohmann::ordered_json tags = nlohmann::ordered_json::array();
        tags.push_back("needle:" + r.klass);
        if (r.klass == "synthetic-proven" || r.klass == "synthetic-likely") tags.push_back("needle:ai-generated");
        m["Tags"] = tags;
        std::string comments;
        for (const auto& s : r.explanation) comments += (comments.empty() ? "" : " | ") + s.get<std::string>();
        m["Comments"] = comments;
        nlohmann::ordered_json files = nlohmann::ordered_json::array();
        for (const auto& p : r.paths) {
          auto slash = p.find_last_of('/');
          files.push_back({{"FileName", slash == std::string::npos ? p : p.substr(slash + 1)},
                           {"FilePath", slash == std::string::npos ? "" : p.substr(0, slash + 1)}});
        }
        m["MediaFiles"] = files;
        media.push_back(m);
      }
      env["value"] = media;
      out << env.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      break;
    }
    case ReportFormat::kHtml: {
      NEEDLE_ASSIGN_OR_RETURN(auto clusters, cs.Clusters());
      WriteHtml(items, clusters, o, out);
      break;
    }
  }
  if (!out.good()) return IoError("could not write the report");
  return Status::Ok();
}

}  // namespace needle::report
