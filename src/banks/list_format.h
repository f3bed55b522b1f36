// Hash-list formats the field exchanges (../shared/docs/hash-list-formats.md):
// parsers that stream records out of a file, a detector, and exporters.
//
// Every parser stops at the first malformed record with a Status that names
// the line (text, CSV) or record number (JSON, XML) and the reason. Parsers
// never buffer the whole file.
#pragma once

#include <functional>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "banks/hash_record.h"
#include "needle/status.h"

namespace needle::banks {

enum class ListFormat { kAuto, kText, kCsv, kVics, kIcse, kNcmec, kStopNcii };
const char* ListFormatName(ListFormat f);
std::optional<ListFormat> ParseListFormat(std::string_view name);

// Decides from the first bytes of a file (a few KB).
ListFormat DetectListFormat(std::string_view head);

using RecordFn = std::function<Status(HashRecord&&)>;

struct ParseOptions {
  // Plain text: the type of bare 64-hex lines ("pdq" or "sha256").
  std::string bare64_type = "pdq";
};

Status ParseText(std::istream& in, const ParseOptions& o, const RecordFn& fn);
Status ParseCsv(std::istream& in, const RecordFn& fn);       // pytx and generic, ',' separated, header required
Status ParseIcse(std::istream& in, const RecordFn& fn);      // Interpol ICSE, ';' separated
Status ParseVics(std::istream& in, const RecordFn& fn);      // Project VIC VICS 1.2/1.3/2.0 JSON
Status ParseNcmec(std::istream& in, const RecordFn& fn);     // NCMEC hash-sharing v2 XML
Status ParseStopNcii(std::istream& in, const RecordFn& fn);  // StopNCII JSON (page, array or JSON Lines)

Status ParseList(std::istream& in, ListFormat format, const ParseOptions& o, const RecordFn& fn);

// Exporters write every entry they are given; `Finish` closes envelopes.
enum class ExportFormat { kText, kCsv, kVics };
std::optional<ExportFormat> ParseExportFormat(std::string_view name);
class Exporter {
 public:
  virtual ~Exporter() = default;
  virtual void Write(int64_t entry_id, const HashRecord& r) = 0;
  virtual void Finish() = 0;
};
std::unique_ptr<Exporter> MakeExporter(ExportFormat f, std::ostream& out);

// Reads one CSV record (RFC 4180: quoted fields, doubled quotes, newlines
// inside quotes). False at end of input. `line` counts physical lines.
Result<bool> ReadCsvRecord(std::istream& in, char sep, std::vector<std::string>* fields, size_t* line);

}  // namespace needle::banks
