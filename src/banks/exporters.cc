// Exporters: plain text ("TYPE VALUE" lines), generic CSV, VICS 2.0 JSON.
#include <cctype>

#include "banks/list_format.h"

namespace needle::banks {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

class TextExporter : public Exporter {
 public:
  explicit TextExporter(std::ostream& o) : out_(o) {}
  void Write(int64_t, const HashRecord& r) override {
    if (r.pdq) out_ << "pdq " << *r.pdq << '\n';
    if (r.md5) out_ << "md5 " << *r.md5 << '\n';
    if (r.sha1) out_ << "sha1 " << *r.sha1 << '\n';
    if (r.sha256) out_ << "sha256 " << *r.sha256 << '\n';
    if (r.photodna) out_ << "photodna " << *r.photodna << '\n';
  }
  void Finish() override { out_.flush(); }

 private:
  std::ostream& out_;
};

class CsvExporter : public Exporter {
 public:
  explicit CsvExporter(std::ostream& o) : out_(o) {
    out_ << "id,md5,sha1,sha256,pdq,photodna,category,series,classification,tags,ai_generated\n";
  }
  void Write(int64_t, const HashRecord& r) override {
    std::string tags;
    for (const auto& t : r.tags) tags += (tags.empty() ? "" : " ") + t;
    out_ << CsvField(r.source_key) << ',' << r.md5.value_or("") << ',' << r.sha1.value_or("") << ','
         << r.sha256.value_or("") << ',' << r.pdq.value_or("") << ',' << r.photodna.value_or("") << ','
         << CsvField(r.category) << ',' << CsvField(r.series) << ',' << CsvField(r.classification) << ','
         << CsvField(tags) << ',' << (r.ai_generated ? (*r.ai_generated ? "true" : "false") : "") << '\n';
  }
  void Finish() override { out_.flush(); }

 private:
  std::ostream& out_;
};

// VICS 2.0 "Default" Media envelope, written record by record so a large
// bank never sits in memory. Fields the source gave verbatim are kept.
class VicsExporter : public Exporter {
 public:
  explicit VicsExporter(std::ostream& o) : out_(o) {
    out_ << "{\"@odata.context\":\"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/"
            "$metadata#Media\",\"value\":[";
  }
  void Write(int64_t entry_id, const HashRecord& r) override {
    nlohmann::ordered_json m;
    nlohmann::json src = r.metadata.is_object() ? r.metadata : nlohmann::json::object();
    m["MediaID"] = src.contains("MediaID") ? src["MediaID"] : nlohmann::json(entry_id);
    int category = 0;
    try {
      category = r.category.empty() ? 0 : std::stoi(r.category);
    } catch (...) {
      category = 0;  // non-numeric categories (pytx classes) are not VICS codes
    }
    m["Category"] = category;
    if (r.md5) m["MD5"] = Upper(*r.md5);
    if (r.sha1) m["SHA1"] = Upper(*r.sha1);
    if (!r.series.empty()) m["Series"] = r.series;
    if (!r.tags.empty()) m["Tags"] = r.tags;
    if (r.photodna) m["PhotoDNA"] = *r.photodna;
    nlohmann::json alt = nlohmann::json::array();
    if (r.pdq) alt.push_back({{"HashName", "PDQ"}, {"HashValue", *r.pdq}});
    if (r.sha256) alt.push_back({{"HashName", "SHA256"}, {"HashValue", *r.sha256}});
    if (!alt.empty()) m["AlternativeHashes"] = alt;
    for (auto it = src.begin(); it != src.end(); ++it)
      if (!m.contains(it.key())) m[it.key()] = it.value();
    out_ << (first_ ? "" : ",") << m.dump();
    first_ = false;
  }
  void Finish() override {
    out_ << "]}\n";
    out_.flush();
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

}  // namespace

std::optional<ExportFormat> ParseExportFormat(std::string_view n) {
  if (n == "text") return ExportFormat::kText;
  if (n == "csv") return ExportFormat::kCsv;
  if (n == "vics") return ExportFormat::kVics;
  return std::nullopt;
}

std::unique_ptr<Exporter> MakeExporter(ExportFormat f, std::ostream& out) {
  switch (f) {
    case ExportFormat::kText: return std::make_unique<TextExporter>(out);
    case ExportFormat::kCsv: return std::make_unique<CsvExporter>(out);
    case ExportFormat::kVics: return std::make_unique<VicsExporter>(out);
  }
  return nullptr;
}

}  // namespace needle::banks
