// Plain text lists: one hash per line, bare or "TYPE VALUE" (HMA LocalFile,
// pytx). Bare values are typed by length: 32 md5, 40 sha1, 64 pdq (or
// sha256 with --signal-type), 192/288 PhotoDNA. '#' starts a comment line.
#include <cctype>
#include <string>

#include "banks/list_format.h"

namespace needle::banks {
namespace {

Status Assign(HashRecord* r, std::string type, std::string_view value) {
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type == "pdq" || type == "hash_pdq" || type == "imagepdq") {
    NEEDLE_ASSIGN_OR_RETURN(r->pdq, NormalizeHex(value, 64, "PDQ hash"));
  } else if (type == "md5" || type == "video_md5" || type == "hash_md5" || type == "videomd5") {
    NEEDLE_ASSIGN_OR_RETURN(r->md5, NormalizeHex(value, 32, "MD5"));
  } else if (type == "sha1") {
    NEEDLE_ASSIGN_OR_RETURN(r->sha1, NormalizeHex(value, 40, "SHA-1"));
  } else if (type == "sha256") {
    NEEDLE_ASSIGN_OR_RETURN(r->sha256, NormalizeHex(value, 64, "SHA-256"));
  } else if (type == "photodna" || type == "pdna") {
    NEEDLE_ASSIGN_OR_RETURN(r->photodna, NormalizePhotoDna(value));
  } else {
    return InvalidArgument("unknown signal type '" + type + "' (pdq, md5, video_md5, sha1, sha256, photodna)");
  }
  if (type == "video_md5" || type == "videomd5") r->tags.push_back("video");
  return Status::Ok();
}

}  // namespace

Status ParseText(std::istream& in, const ParseOptions& o, const RecordFn& fn) {
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    size_t e = line.find_last_not_of(" \t");
    std::string_view s(line.data() + b, e - b + 1);
    HashRecord r;
    Status st;
    size_t sp = s.find_first_of(" \t");
    if (sp == std::string_view::npos) {
      std::string type = s.size() == 32 ? "md5" : s.size() == 40 ? "sha1" : s.size() == 64 ? o.bare64_type
                         : (s.size() == 192 || s.size() == 288) ? "photodna" : "";
      st = type.empty() ? InvalidArgument("a bare value of " + std::to_string(s.size()) +
                                          " characters is not a hash needle knows")
                        : Assign(&r, type, s);
    } else {
      std::string_view value = s.substr(s.find_first_not_of(" \t", sp));
      if (value.find_first_of(" \t") != std::string_view::npos)
        st = InvalidArgument("expected 'TYPE VALUE', found more fields");
      else
        st = Assign(&r, std::string(s.substr(0, sp)), value);
    }
    if (!st.ok()) return st.Annotate("line " + std::to_string(n));
    DefaultKey(&r);
    NEEDLE_RETURN_IF_ERROR(fn(std::move(r)).Annotate("line " + std::to_string(n)));
  }
  if (in.bad()) return IoError("read failed after line " + std::to_string(n));
  return Status::Ok();
}

}  // namespace needle::banks
