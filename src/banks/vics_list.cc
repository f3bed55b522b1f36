// Project VIC VICS JSON (1.2, 1.3, 2.0; Media or Cases envelopes), streamed.
// Category, flags and every other field are kept verbatim in `metadata`;
// PhotoDNA is stored but never matched.
#include <cctype>

#include "banks/json_records.h"
#include "banks/list_format.h"

namespace needle::banks {
namespace {

using json = nlohmann::json;

std::string AsText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return v.dump();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return "";
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool LooksAiTag(const std::string& t) {
  std::string l = Lower(t);
  return l.find("generative") != std::string::npos || l == "ai-generated" || l == "ai_generated" ||
         l == "aigenerated" || l == "ai generated";
}

Status ApplyAlternative(HashRecord* r, const std::string& name, const std::string& value) {
  std::string n = Lower(name);
  if (n == "photodna") {
    NEEDLE_ASSIGN_OR_RETURN(r->photodna, NormalizePhotoDna(value));
  } else if (n == "pdq") {
    NEEDLE_ASSIGN_OR_RETURN(r->pdq, NormalizeHex(value, 64, "PDQ"));
  } else if (n == "sha256" || n == "sha-256") {
    NEEDLE_ASSIGN_OR_RETURN(r->sha256, NormalizeHex(value, 64, "SHA-256"));
  } else if (n == "md5" && !r->md5) {
    NEEDLE_ASSIGN_OR_RETURN(r->md5, NormalizeHex(value, 32, "MD5"));
  } else if ((n == "sha1" || n == "sha-1") && !r->sha1) {
    NEEDLE_ASSIGN_OR_RETURN(r->sha1, NormalizeHex(value, 40, "SHA-1"));
  }
  return Status::Ok();
}

Status MediaToRecord(const json& m, HashRecord* r) {
  for (auto it = m.begin(); it != m.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "MD5" && !AsText(v).empty()) {
      NEEDLE_ASSIGN_OR_RETURN(r->md5, NormalizeHex(AsText(v), 32, "MD5"));
    } else if (k == "SHA1" && !AsText(v).empty()) {
      NEEDLE_ASSIGN_OR_RETURN(r->sha1, NormalizeHex(AsText(v), 40, "SHA1"));
    } else if (k == "PhotoDNA" && !AsText(v).empty()) {
      NEEDLE_ASSIGN_OR_RETURN(r->photodna, NormalizePhotoDna(AsText(v)));
    } else if (k == "Category") {
      r->category = AsText(v);
    } else if (k == "Series") {
      r->series = AsText(v);
    } else if (k == "Tags") {
      if (v.is_array()) {
        for (const auto& t : v) r->tags.push_back(AsText(t));
      } else if (!AsText(v).empty()) {
        r->tags.push_back(AsText(v));
      }
    } else if ((k == "IsAIGenerated" || k == "AIGenerated" || k == "GenerativeAI") && ParseFlag(AsText(v))) {
      r->ai_generated = ParseFlag(AsText(v));
    } else if (v.is_array()) {
      // Nested alternative hashes: [{"HashName": "PhotoDNA", "HashValue": "..."}]
      for (const auto& h : v)
        if (h.is_object() && h.contains("HashName") && h.contains("HashValue"))
          NEEDLE_RETURN_IF_ERROR(ApplyAlternative(r, AsText(h["HashName"]), AsText(h["HashValue"])));
    }
  }
  for (const auto& t : r->tags)
    if (LooksAiTag(t)) r->ai_generated = true;
  if (m.contains("MediaID") && !AsText(m["MediaID"]).empty()) r->source_key = "vics:" + AsText(m["MediaID"]);
  r->metadata = m;
  return Status::Ok();
}

}  // namespace

Status ParseVics(std::istream& in, const RecordFn& fn) {
  JsonStreamOptions opt;
  opt.record_arrays = {"value", "Media"};
  json envelope = json::object();
  bool checked = false;
  return StreamJsonRecords(in, opt, &envelope, [&](json&& m, size_t n) -> Status {
    const std::string where = "record " + std::to_string(n);
    if (!checked) {
      std::string ctx = envelope.contains("@odata.context") ? AsText(envelope["@odata.context"])
                        : envelope.contains("odata.metadata") ? AsText(envelope["odata.metadata"])
                                                              : "";
      if (ctx.find("DataModels/1.2.xml") == std::string::npos && ctx.find("DataModels/1.3.xml") == std::string::npos &&
          ctx.find("DataModels/2.0.xml") == std::string::npos)
        return InvalidArgument("not a VICS document: '@odata.context' / 'odata.metadata' must name the "
                               "ProjectVic 1.2, 1.3 or 2.0 data model (got '" + ctx + "')");
      checked = true;
    }
    if (!m.is_object()) return InvalidArgument(where + ": a Media record must be a JSON object");
    // A Cases envelope element (its Media were streamed separately).
    if ((m.contains("CaseID") || m.contains("CaseNumber")) && !m.contains("MD5") && !m.contains("SHA1"))
      return Status::Ok();
    HashRecord r;
    NEEDLE_RETURN_IF_ERROR(MediaToRecord(m, &r).Annotate(where));
    if (!r.HasHash()) return InvalidArgument(where + ": no MD5, SHA1 or PhotoDNA");
    DefaultKey(&r);
    return fn(std::move(r)).Annotate(where);
  });
}

}  // namespace needle::banks
