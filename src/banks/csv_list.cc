// CSV hash lists: python-threatexchange's `signal_type,signal_str,collab,
// category,tags`, generic lists with md5/sha1/sha256/pdq/photodna columns,
// and Interpol ICSE (';' separated). Header required; unknown columns are
// kept verbatim in the entry's metadata.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "banks/list_format.h"

namespace needle::banks {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string> SplitTags(const std::string& s) {
  std::vector<std::string> out;
  std::string t;
  std::istringstream in(s);
  while (in >> t) out.push_back(t);
  return out;
}

Status SetTyped(HashRecord* r, const std::string& type_in, const std::string& value) {
  std::string type = Lower(type_in);
  if (type == "pdq") {
    NEEDLE_ASSIGN_OR_RETURN(r->pdq, NormalizeHex(value, 64, "PDQ hash"));
  } else if (type == "video_md5" || type == "md5") {
    NEEDLE_ASSIGN_OR_RETURN(r->md5, NormalizeHex(value, 32, "MD5"));
    if (type == "video_md5") r->tags.push_back("video");
  } else if (type == "sha1") {
    NEEDLE_ASSIGN_OR_RETURN(r->sha1, NormalizeHex(value, 40, "SHA-1"));
  } else if (type == "sha256") {
    NEEDLE_ASSIGN_OR_RETURN(r->sha256, NormalizeHex(value, 64, "SHA-256"));
  } else if (type == "photodna") {
    NEEDLE_ASSIGN_OR_RETURN(r->photodna, NormalizePhotoDna(value));
  } else {
    return InvalidArgument("unknown signal_type '" + type_in + "'");
  }
  return Status::Ok();
}

constexpr const char* kIcseHeader[] = {"MD5", "SHA1", "PhotoDNA", "Image ID", "Is distributed", "Victim identified",
                                       "Offender identified", "Series name", "Number of submissions",
                                       "File Available", "Media Type", "Baseline"};

}  // namespace

Result<bool> ReadCsvRecord(std::istream& in, char sep, std::vector<std::string>* fields, size_t* line) {
  fields->clear();
  int c = in.get();
  if (c == EOF) return false;
  std::string cur;
  bool quoted = false, any = false;
  const size_t start_line = *line + 1;
  ++*line;
  for (;; c = in.get()) {
    if (c == EOF) {
      if (quoted) return Corrupt("line " + std::to_string(start_line) + ": unterminated quoted field");
      break;
    }
    any = true;
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          in.get();
          cur += '"';
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++*line;
        cur += static_cast<char>(c);
      }
      continue;
    }
    if (c == '"' && cur.empty()) {
      quoted = true;
    } else if (c == sep) {
      fields->push_back(std::move(cur));
      cur.clear();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      cur += static_cast<char>(c);
    }
    if (cur.size() > (1u << 20)) return Corrupt("line " + std::to_string(start_line) + ": field longer than 1 MiB");
  }
  fields->push_back(std::move(cur));
  (void)any;
  return true;
}

Status ParseCsv(std::istream& in, const RecordFn& fn) {
  size_t line = 0;
  std::vector<std::string> header, row;
  NEEDLE_ASSIGN_OR_RETURN(bool has, ReadCsvRecord(in, ',', &header, &line));
  if (!has) return Status::Ok();
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) col[Lower(Trim(header[i]))] = i;
  const bool pytx = col.count("signal_type") && col.count("signal_str");
  static const char* kHashCols[] = {"md5", "sha1", "sha256", "pdq", "photodna"};
  bool generic = false;
  for (const char* h : kHashCols) generic |= col.count(h) > 0;
  if (!pytx && !generic)
    return InvalidArgument("line 1: CSV header names no hash column (expected signal_type,signal_str or "
                           "md5/sha1/sha256/pdq/photodna)");
  for (;;) {
    auto got = ReadCsvRecord(in, ',', &row, &line);
    if (!got.ok()) return got.status();
    if (!*got) break;
    if (row.size() == 1 && Trim(row[0]).empty()) continue;  // blank line
    const std::string where = "line " + std::to_string(line);
    if (row.size() != header.size())
      return InvalidArgument(where + ": " + std::to_string(row.size()) + " fields, the header has " +
                             std::to_string(header.size()));
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      return it == col.end() ? std::string() : Trim(row[it->second]);
    };
    HashRecord r;
    Status st;
    if (pytx) {
      st = SetTyped(&r, get("signal_type"), get("signal_str"));
      r.category = get("category");
      for (auto& t : SplitTags(get("tags"))) r.tags.push_back(t);
      if (!get("collab").empty()) r.metadata["collab"] = get("collab");
      if (st.ok()) r.source_key = Lower(get("signal_type")) + ":" + (r.pdq ? *r.pdq : r.md5 ? *r.md5 : r.sha1 ? *r.sha1 : r.sha256 ? *r.sha256 : *r.photodna);
    } else {
      for (const char* h : kHashCols) {
        std::string v = get(h);
        if (!v.empty() && st.ok()) st = SetTyped(&r, h, v);
      }
      if (st.ok() && !r.HasHash()) st = InvalidArgument("no hash in this row");
      r.category = get("category");
      r.series = get("series");
      r.classification = get("classification");
      for (auto& t : SplitTags(get("tags"))) r.tags.push_back(t);
      if (std::string ai = get("ai_generated"); !ai.empty()) r.ai_generated = ParseFlag(ai);
      if (std::string id = get("id"); !id.empty()) r.source_key = "id:" + id;
      static const std::set<std::string> known = {"md5", "sha1", "sha256", "pdq", "photodna", "category",
                                                  "series", "classification", "tags", "ai_generated", "id"};
      for (auto& [name, i] : col)
        if (!known.count(name) && !Trim(row[i]).empty()) r.metadata[header[i]] = row[i];
    }
    if (!st.ok()) return st.Annotate(where);
    DefaultKey(&r);
    NEEDLE_RETURN_IF_ERROR(fn(std::move(r)).Annotate(where));
  }
  return Status::Ok();
}

Status ParseIcse(std::istream& in, const RecordFn& fn) {
  size_t line = 0;
  std::vector<std::string> header, row;
  NEEDLE_ASSIGN_OR_RETURN(bool has, ReadCsvRecord(in, ';', &header, &line));
  if (!has) return Status::Ok();
  for (size_t i = 0; i < 4; ++i)
    if (i >= header.size() || Trim(header[i]) != kIcseHeader[i])
      return InvalidArgument("line 1: not an ICSE header (expected MD5;SHA1;PhotoDNA;Image ID;...)");
  for (;;) {
    auto got = ReadCsvRecord(in, ';', &row, &line);
    if (!got.ok()) return got.status();
    if (!*got) break;
    if (row.size() == 1 && Trim(row[0]).empty()) continue;
    const std::string where = "line " + std::to_string(line);
    if (row.size() != header.size())
      return InvalidArgument(where + ": " + std::to_string(row.size()) + " fields, the header has " +
                             std::to_string(header.size()));
    HashRecord r;
    Status st;
    if (std::string v = Trim(row[0]); !v.empty()) st = SetTyped(&r, "md5", v);
    if (std::string v = Trim(row[1]); !v.empty() && st.ok()) st = SetTyped(&r, "sha1", v);
    if (std::string v = Trim(row[2]); !v.empty() && st.ok()) st = SetTyped(&r, "photodna", v);
    if (st.ok() && !r.HasHash()) st = InvalidArgument("no MD5, SHA1 or PhotoDNA");
    for (size_t i = 3; i < header.size() && st.ok(); ++i) {
      std::string name = Trim(header[i]), v = Trim(row[i]);
      if (v.empty()) continue;
      r.metadata[name] = v;
      if (name == "Image ID") r.source_key = "icse:" + v;
      else if (name == "Series name") r.series = v;
      else if (name == "Is distributed" || name == "Victim identified" || name == "Offender identified" ||
               name == "File Available" || name == "Baseline") {
        auto flag = ParseFlag(v);
        if (!flag) st = InvalidArgument("'" + name + "' is '" + v + "', expected yes/no/true/false");
        else if (*flag) {
          std::string tag = Lower(name);
          std::replace(tag.begin(), tag.end(), ' ', '_');
          r.tags.push_back(tag);
        }
      }
    }
    if (!st.ok()) return st.Annotate(where);
    DefaultKey(&r);
    NEEDLE_RETURN_IF_ERROR(fn(std::move(r)).Annotate(where));
  }
  return Status::Ok();
}

}  // namespace needle::banks
