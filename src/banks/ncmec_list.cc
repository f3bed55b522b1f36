// NCMEC hash-sharing v2 XML (queryResult pages), streamed through expat.
// <image>/<video> entries become records keyed "ncmec:<member>-<id>";
// <deletedImage>/<deletedVideo> are tombstones. Fingerprint types needle
// does not match (netclean, videntifier, tmk_pdqf, ...) are kept verbatim.
#include <expat.h>

#include <cstring>
#include <vector>

#include "banks/list_format.h"

namespace needle::banks {
namespace {

constexpr int kMaxDepth = 64;

std::string Local(const char* name) {
  const char* colon = std::strrchr(name, ':');  // drop a namespace prefix
  return colon ? colon + 1 : name;
}

struct State {
  XML_Parser parser;
  const RecordFn* fn;
  Status status;
  int depth = 0;
  size_t count = 0;
  // Current entry.
  bool in_entry = false, deleted = false, video = false, in_fingerprints = false, in_feedback = false;
  int entry_depth = 0;
  std::string member_id, member_name, id, timestamp, classification;
  nlohmann::json fingerprints = nlohmann::json::object();
  std::string text;

  void Fail(Status s) {
    if (status.ok()) status = std::move(s);
    XML_StopParser(parser, XML_FALSE);
  }
  void Reset() {
    in_entry = deleted = video = in_fingerprints = in_feedback = false;
    member_id.clear(), member_name.clear(), id.clear(), timestamp.clear(), classification.clear();
    fingerprints = nlohmann::json::object();
  }
};

void OnStart(void* ud, const XML_Char* name, const XML_Char** attrs) {
  auto* s = static_cast<State*>(ud);
  if (++s->depth > kMaxDepth) return s->Fail(Corrupt("XML nested deeper than 64 elements"));
  s->text.clear();
  std::string n = Local(name);
  if (!s->in_entry) {
    if (n == "image" || n == "video" || n == "deletedImage" || n == "deletedVideo") {
      s->Reset();
      s->in_entry = true;
      s->entry_depth = s->depth;
      s->deleted = n.rfind("deleted", 0) == 0;
      s->video = n == "video" || n == "deletedVideo";
    }
    return;
  }
  if (n == "member" && s->depth == s->entry_depth + 1)
    for (int i = 0; attrs[i]; i += 2)
      if (std::strcmp(attrs[i], "id") == 0) s->member_id = attrs[i + 1];
  if (n == "fingerprints") s->in_fingerprints = true;
  if (n == "feedback") s->in_feedback = true;
}

void OnText(void* ud, const XML_Char* t, int len) {
  auto* s = static_cast<State*>(ud);
  if (s->text.size() + size_t(len) > (1u << 20)) return s->Fail(Corrupt("XML text node longer than 1 MiB"));
  s->text.append(t, size_t(len));
}

Status Emit(State* s) {
  const std::string where = "record " + std::to_string(s->count);
  if (s->id.empty()) return InvalidArgument(where + ": entry without <id>");
  HashRecord r;
  r.source_key = "ncmec:" + s->member_id + "-" + s->id;
  r.deleted = s->deleted;
  r.classification = s->classification;
  if (!s->classification.empty()) r.tags.push_back(s->classification);
  if (s->video) r.tags.push_back("video");
  nlohmann::json other = nlohmann::json::object();
  for (auto it = s->fingerprints.begin(); it != s->fingerprints.end(); ++it) {
    const std::string& k = it.key();
    const std::string v = it.value().get<std::string>();
    Status st;
    if (k == "md5") {
      auto h = NormalizeHex(v, 32, "md5");
      if (h.ok()) r.md5 = *h; else st = h.status();
    } else if (k == "sha1") {
      auto h = NormalizeHex(v, 40, "sha1");
      if (h.ok()) r.sha1 = *h; else st = h.status();
    } else if (k == "pdq") {
      auto h = NormalizeHex(v, 64, "pdq");
      if (h.ok()) r.pdq = *h; else st = h.status();
    } else if (k == "pdna") {
      auto h = NormalizePhotoDna(v);
      if (h.ok()) r.photodna = *h; else st = h.status();
    } else {
      other[k] = v;
    }
    if (!st.ok()) return st.Annotate(where);
  }
  r.metadata = {{"member_id", s->member_id}, {"member", s->member_name}, {"id", s->id},
                {"timestamp", s->timestamp}, {"kind", s->video ? "video" : "image"}};
  if (!other.empty()) r.metadata["other_fingerprints"] = other;
  return (*s->fn)(std::move(r)).Annotate(where);
}

void OnEnd(void* ud, const XML_Char* name) {
  auto* s = static_cast<State*>(ud);
  std::string n = Local(name);
  if (s->in_entry) {
    if (s->depth == s->entry_depth) {
      ++s->count;
      Status st = Emit(s);
      s->in_entry = false;
      if (!st.ok()) s->Fail(std::move(st));
    } else if (n == "fingerprints") {
      s->in_fingerprints = false;
    } else if (n == "feedback") {
      s->in_feedback = false;
    } else if (s->in_fingerprints) {
      s->fingerprints[n] = s->text;
    } else if (!s->in_feedback && s->depth == s->entry_depth + 1) {
      if (n == "id") s->id = s->text;
      else if (n == "member") s->member_name = s->text;
      else if (n == "timestamp") s->timestamp = s->text;
      else if (n == "classification") s->classification = s->text;
    }
  }
  s->text.clear();
  --s->depth;
}

}  // namespace

Status ParseNcmec(std::istream& in, const RecordFn& fn) {
  XML_Parser p = XML_ParserCreate(nullptr);
  if (!p) return Internal("expat could not allocate");
  State s;
  s.parser = p;
  s.fn = &fn;
  XML_SetUserData(p, &s);
  XML_SetElementHandler(p, OnStart, OnEnd);
  XML_SetCharacterDataHandler(p, OnText);
  // No external entities are ever loaded (expat's default); billion-laughs
  // amplification is bounded by expat >= 2.4.
  std::vector<char> buf(1 << 16);
  bool root_seen = false;
  for (;;) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize got = in.gcount();
    bool last = got < static_cast<std::streamsize>(buf.size());
    if (!root_seen && got > 0) root_seen = true;
    if (XML_Parse(p, buf.data(), static_cast<int>(got), last) == XML_STATUS_ERROR) {
      Status st = s.status;
      if (st.ok())
        st = Corrupt("XML error at line " + std::to_string(XML_GetCurrentLineNumber(p)) + ": " +
                     XML_ErrorString(XML_GetErrorCode(p)));
      XML_ParserFree(p);
      return st;
    }
    if (last) break;
  }
  XML_ParserFree(p);
  if (!root_seen) return InvalidArgument("empty XML document");
  return s.status;
}

}  // namespace needle::banks
