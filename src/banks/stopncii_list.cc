// StopNCII hash records (FetchHashes pages, arrays of records, or JSON
// Lines). Withdrawn and Deleted records are tombstones.
#include <sstream>

#include "banks/json_records.h"
#include "banks/list_format.h"

namespace needle::banks {
namespace {

using json = nlohmann::json;

Status RecordToHash(const json& j, HashRecord* r) {
  if (!j.is_object() || !j.contains("signalType") || !j.contains("hashValue") || !j["signalType"].is_string() ||
      !j["hashValue"].is_string())
    return InvalidArgument("a StopNCII record needs string fields signalType and hashValue");
  const std::string type = j["signalType"].get<std::string>();
  const std::string value = j["hashValue"].get<std::string>();
  const std::string status = j.contains("hashStatus") && j["hashStatus"].is_string() ? j["hashStatus"].get<std::string>() : "";
  if (type == "ImagePDQ") {
    NEEDLE_ASSIGN_OR_RETURN(r->pdq, NormalizeHex(value, 64, "ImagePDQ hashValue"));
    r->source_key = "stopncii:ImagePDQ:" + *r->pdq;
  } else if (type == "VideoMD5") {
    NEEDLE_ASSIGN_OR_RETURN(r->md5, NormalizeHex(value, 32, "VideoMD5 hashValue"));
    r->source_key = "stopncii:VideoMD5:" + *r->md5;
    r->tags.push_back("video");
  } else if (type == "VideoTMK" || type == "Text" || type == "URL" || type == "Unknown") {
    // Kept verbatim (in metadata), never matched.
    r->source_key = "stopncii:" + type + ":" + value;
  } else {
    return InvalidArgument("unknown signalType '" + type + "'");
  }
  if (status == "Withdrawn" || status == "Deleted") r->deleted = true;
  else if (!status.empty() && status != "Received" && status != "Active")
    return InvalidArgument("unknown hashStatus '" + status + "'");
  r->classification = status;
  r->metadata = j;
  return Status::Ok();
}

}  // namespace

Status ParseStopNcii(std::istream& in, const RecordFn& fn) {
  auto handle = [&](json&& j, size_t n) -> Status {
    const std::string where = "record " + std::to_string(n);
    HashRecord r;
    NEEDLE_RETURN_IF_ERROR(RecordToHash(j, &r).Annotate(where));
    return fn(std::move(r)).Annotate(where);
  };
  // JSON Lines: one record object per line. Otherwise one document.
  std::string first;
  std::streampos start = in.tellg();
  std::getline(in, first);
  bool lines = false;
  if (!first.empty() && first.find_first_not_of(" \t\r") != std::string::npos &&
      first[first.find_first_not_of(" \t\r")] == '{') {
    json probe = json::parse(first, nullptr, false);
    lines = !probe.is_discarded() && probe.is_object() && probe.contains("signalType");
  }
  if (lines) {
    size_t n = 0;
    std::string line = first;
    do {
      ++n;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded()) return Corrupt("line " + std::to_string(n) + ": not valid JSON");
      NEEDLE_RETURN_IF_ERROR(handle(std::move(j), n));
    } while (std::getline(in, line));
    return Status::Ok();
  }
  in.clear();
  in.seekg(start);
  JsonStreamOptions opt;
  opt.record_arrays = {"hashRecords"};
  return StreamJsonRecords(in, opt, nullptr, handle);
}

}  // namespace needle::banks
