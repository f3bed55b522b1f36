#include "banks/list_format.h"

#include <cctype>

namespace needle::banks {

const char* ListFormatName(ListFormat f) {
  switch (f) {
    case ListFormat::kAuto: return "auto";
    case ListFormat::kText: return "text";
    case ListFormat::kCsv: return "csv";
    case ListFormat::kVics: return "vics";
    case ListFormat::kIcse: return "icse";
    case ListFormat::kNcmec: return "ncmec";
    case ListFormat::kStopNcii: return "stopncii";
  }
  return "auto";
}

std::optional<ListFormat> ParseListFormat(std::string_view n) {
  for (ListFormat f : {ListFormat::kAuto, ListFormat::kText, ListFormat::kCsv, ListFormat::kVics, ListFormat::kIcse,
                       ListFormat::kNcmec, ListFormat::kStopNcii})
    if (n == ListFormatName(f)) return f;
  return std::nullopt;
}

ListFormat DetectListFormat(std::string_view head) {
  if (head.size() >= 3 && static_cast<unsigned char>(head[0]) == 0xEF) head.remove_prefix(3);  // UTF-8 BOM
  size_t b = head.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return ListFormat::kText;
  std::string_view s = head.substr(b);
  if (s[0] == '<') return ListFormat::kNcmec;
  if (s[0] == '{' || s[0] == '[') {
    if (s.find("odata") != std::string_view::npos || s.find("\"MediaID\"") != std::string_view::npos ||
        s.find("\"Media\"") != std::string_view::npos)
      return ListFormat::kVics;
    return ListFormat::kStopNcii;
  }
  std::string_view first = s.substr(0, s.find('\n'));
  std::string lower(first);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("md5;sha1;photodna", 0) == 0) return ListFormat::kIcse;
  if (lower.find(',') != std::string::npos &&
      (lower.find("signal_type") != std::string::npos || lower.find("md5") != std::string::npos ||
       lower.find("sha1") != std::string::npos || lower.find("pdq") != std::string::npos ||
       lower.find("sha256") != std::string::npos))
    return ListFormat::kCsv;
  return ListFormat::kText;
}

Status ParseList(std::istream& in, ListFormat format, const ParseOptions& o, const RecordFn& fn) {
  switch (format) {
    case ListFormat::kText: return ParseText(in, o, fn);
    case ListFormat::kCsv: return ParseCsv(in, fn);
    case ListFormat::kVics: return ParseVics(in, fn);
    case ListFormat::kIcse: return ParseIcse(in, fn);
    case ListFormat::kNcmec: return ParseNcmec(in, fn);
    case ListFormat::kStopNcii: return ParseStopNcii(in, fn);
    case ListFormat::kAuto: break;
  }
  return InvalidArgument("format must be resolved before parsing");
}

}  // namespace needle::banks
