// The HMA 2.0 ("OpenMediaMatch") API, same paths and shapes
// (../shared/docs/hash-list-formats.md §14.2). Differences, documented in
// docs/serve.md: every endpoint needs a token; URL parameters (`url`) are
// refused because needle never fetches; bank names may be lower case.
#include <algorithm>
#include <charconv>
#include <ctime>
#include <random>

#include "banks/hash_record.h"
#include "hash/digest.h"
#include "hash/file_hasher.h"
#include "serve/context.h"
#include "util/strings.h"

namespace needle::serve {
namespace {


// HMA's coinflip: r in [0,1) from a PRNG seeded with `seed`, or 0 when bypassed.
double Coin(const httplib::Request& req) {
  if (req.get_param_value("bypass_coinflip") == "true") return 0.0;
  std::mt19937_64 rng(req.has_param("seed") ? std::hash<std::string>{}(req.get_param_value("seed"))
                                            : std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

std::optional<hash::Hash256> ParsePdq(const std::string& s) { return hash::Hash256::FromHex(s); }

// HMA's two default signal types: PDQ for photos, and `video_md5`, the MD5
// of a video file's bytes. needle matches video_md5 against every MD5 entry:
// identical bytes are identical whether a list called the file a video or not.
constexpr const char* kSignalTypes = "signal_type must be pdq or video_md5";
bool IsVideoMd5(const std::string& type) { return type == "video_md5"; }

std::optional<std::string> ParseMd5(const std::string& s) {
  auto v = banks::NormalizeHex(s, 32, "video_md5");
  return v.ok() ? std::optional<std::string>(*v) : std::nullopt;
}

// Shape: {"BANK": [{"bank_content_id": id, "distance": "4"}]}
nlohmann::json HitsBody(Context& cx, const std::vector<banks::Matcher::FastHit>& hits) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& h : hits) {
    nlohmann::json m{{"bank_content_id", h.entry_id}, {"distance", std::to_string(h.distance)}};
    if (CountMatch(cx, h.entry_id, h.bank)) m["quarantined"] = true;  // needle addition: do not auto-action
    out[h.bank].push_back(m);
  }
  return out;
}

nlohmann::json LookupBody(Context& cx, const hash::Hash256& q, std::optional<int> quality, double coin,
                          const std::vector<std::string>& banks) {
  return HitsBody(cx, cx.matcher->LookupPdqFast(q, quality, coin, banks));
}

// The hits for a request's `signal_type` and `signal` (pdq or video_md5),
// filtered as the fast lookups do; false, with the error response set, for a
// bad request (400) or a failed store read (500).
bool SignalHits(Context& cx, const httplib::Request& req, double coin, bool ignore_enabled, httplib::Response& res,
                std::vector<banks::Matcher::FastHit>* hits) {
  auto fail = [&res](int status, const std::string& message) {
    Error(res, status, message);
    return false;
  };
  const std::string type = req.get_param_value("signal_type");
  const auto banks = util::SplitComma(req.get_param_value("banks"));
  if (IsVideoMd5(type)) {
    auto md5 = ParseMd5(req.get_param_value("signal"));
    if (!md5) return fail(400, "signal must be 32 hex characters");
    auto found = Md5Hits(cx, *md5, coin, banks, ignore_enabled);
    if (!found.ok()) return fail(500, found.status().message());
    *hits = std::move(*found);
    return true;
  }
  if (type != "pdq") return fail(400, kSignalTypes);
  auto q = ParsePdq(req.get_param_value("signal"));
  if (!q) return fail(400, "signal must be 64 hex characters");
  *hits = cx.matcher->LookupPdqFast(*q, std::nullopt, coin, banks, ignore_enabled);
  return true;
}

// The single uploaded file of a multipart request; the form field name is
// the content type (photo or video), as in HMA.
const httplib::MultipartFormData* Upload(const httplib::Request& req, std::string* content_type) {
  const httplib::MultipartFormData* found = nullptr;
  for (const auto& [name, item] : req.files) {
    if (name == "metadata" || name == "note" || name == "types") continue;  // options, not the file
    if (found) return nullptr;
    found = &item;
    *content_type = name;
  }
  return found;
}

nlohmann::json Signals(const hash::FileHashRecord& r) {
  nlohmann::json s = nlohmann::json::object();
  if (r.pdq) s["pdq"] = r.pdq->hash.ToHex();
  if (r.digests) {
    s["md5"] = r.digests->md5;
    s["sha256"] = r.digests->sha256;
  }
  return s;
}

// An entry's signals by HMA type: its PDQ, and its MD5 as `video_md5` when
// the entry is a video (tagged so by the importers and the bank API), else
// as needle's `md5`.
nlohmann::json EntrySignals(const banks::HashRecord& r) {
  nlohmann::json s = nlohmann::json::object();
  if (r.pdq) s["pdq"] = *r.pdq;
  if (r.md5) {
    const bool video = std::find(r.tags.begin(), r.tags.end(), "video") != r.tags.end();
    s[video ? "video_md5" : "md5"] = *r.md5;
  }
  return s;
}

// The bank settings of a POST /c/banks or PUT /c/bank/<name> body, into c.
// As HMA, enabled_ratio may be a number or a numeric string and enabled a
// boolean or "true"/"false"/"1"/"0". A field of another type is refused
// (false), not ignored: the client would believe the change was made.
bool ApplyBankFields(const nlohmann::json& body, store::BankConfig* c) {
  if (body.contains("enabled_ratio")) {
    const auto& v = body["enabled_ratio"];
    if (v.is_number()) {
      c->enabled_ratio = v.get<double>();
    } else if (v.is_string()) {
      const std::string& t = v.get_ref<const std::string&>();
      double d = 0;
      const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
      if (ec != std::errc() || end != t.data() + t.size()) return false;
      c->enabled_ratio = d;
    } else {
      return false;
    }
  }
  if (body.contains("enabled")) {
    const auto& v = body["enabled"];
    if (v.is_boolean()) c->enabled = v.get<bool>();
    else if (v == "true" || v == "1") c->enabled = true;
    else if (v == "false" || v == "0") c->enabled = false;
    else return false;
  }
  if (body.contains("pdq_threshold")) {  // needle's own
    const auto& v = body["pdq_threshold"];
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 63) return false;
    c->pdq_threshold = v.get<int>();
  }
  return true;
}

// Unix seconds of a time as the store writes it ("2026-11-26T07:35:10Z"); 0 if malformed.
int64_t UnixSeconds(const std::string& iso) {
  std::tm tm{};
  const char* end = strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return end && *end == 0 ? int64_t(timegm(&tm)) : 0;
}

nlohmann::json BankJson(const store::BankConfig& b) {
  return {{"name", b.name}, {"matching_enabled_ratio", b.enabled ? b.enabled_ratio : 0.0}};
}

// HMA's content object for GET and PUT /c/bank/<name>/content/<id> (the
// caller holds store_mu). 404 unless the entry is in the path's bank.
void ContentResponse(Context& cx, const httplib::Request& req, int64_t id, httplib::Response& res) {
  auto e = cx.store->EntriesById({id});
  if (!e.ok() || e->empty() || (*e)[0].bank != req.matches[1]) return Error(res, 404, "no such content");
  const auto& x = (*e)[0];
  nlohmann::json j{{"id", x.id}, {"disable_until_ts", x.disable_until_ts}, {"original_media_uri", nullptr}};
  for (const auto& b : cx.matcher->Banks())
    if (b.id == x.bank_id) j["bank"] = BankJson(b);
  if (req.get_param_value("include_signals") == "true") j["signals"] = EntrySignals(x.record);
  if (req.get_param_value("include_metadata") != "false") {
    // HMA's shape: what a client posted as {content_id, content_uri, json}
    // comes back so; an imported entry's own metadata (its list's fields) is
    // the "json". No exchanges: collab is empty.
    const nlohmann::json& md = x.record.metadata.is_object() ? x.record.metadata : nlohmann::json::object();
    nlohmann::json rest = md;
    for (const char* k : {"content_id", "content_uri", "json", "note"}) rest.erase(k);
    j["metadata"] = {{"content_id", md.value("content_id", nlohmann::json())},
                     {"content_uri", md.value("content_uri", nlohmann::json())},
                     {"json", md.contains("json") ? md["json"] : rest},
                     {"collab", nlohmann::json::object()}};
  }
  if (x.record.metadata.is_object() && x.record.metadata.contains("note")) j["note"] = x.record.metadata["note"];
  Json(res, j);
}

}  // namespace

void RegisterHmaRoutes(httplib::Server& svr, Context& cx) {
  svr.Get("/status", Guard(cx, "/status", Role::kSubmitter, [&cx](auto&, auto& res, auto&) {
    res.set_content(cx.matcher ? "I-AM-ALIVE" : "INDEX-NOT-LOADED", "text/plain");
  }));
  svr.Get("/status/live", Guard(cx, "/status/live", Role::kSubmitter, [](auto&, auto& res, auto&) {
    res.set_content("I-AM-ALIVE", "text/plain");
  }));
  svr.Get("/site-map", Guard(cx, "/site-map", Role::kSubmitter, [](auto&, auto& res, auto&) {
    Json(res, {"/c/bank/<name>", "/c/bank/<name>/content", "/c/bank/<name>/content/<id>", "/c/bank/<name>/signal",
               "/c/banks", "/c/content_type", "/c/signal_type", "/c/signal_type/<name>", "/c/signal_type/index",
               "/h/hash", "/m/compare", "/m/index/status", "/m/lookup", "/m/raw_lookup", "/site-map",
               "/status", "/status/live", "/v1/banks", "/v1/health", "/v1/lookup", "/v1/metrics", "/v1/quarantine",
               "/v1/submit"});
  }));

  // --- hasher
  svr.Get("/h/hash", Guard(cx, "/h/hash", Role::kSubmitter, [](auto&, auto& res, auto&) {
    Error(res, 400, "needle never fetches URLs (no SSRF): POST the file as multipart form data instead");
  }));
  svr.Post("/h/hash", Guard(cx, "/h/hash", Role::kSubmitter, [](const httplib::Request& req, auto& res, auto&) {
    std::string type;
    const auto* f = Upload(req, &type);
    if (!f) return Error(res, 400, "expected exactly one file, in a form field named photo or video");
    if (type != "photo" && type != "video") return Error(res, 400, "the form field must be named photo or video");
    const auto* data = reinterpret_cast<const uint8_t*>(f->content.data());
    if (type == "video") return Json(res, {{"video_md5", hash::DigestBytes(data, f->content.size()).md5}});
    auto rec = hash::HashBytes("upload", data, f->content.size(), {});
    if (!rec.error.ok() && !rec.digests) return Error(res, 400, rec.error.message());
    Json(res, Signals(rec));
  }));

  // --- matcher
  svr.Get("/m/raw_lookup", Guard(cx, "/m/raw_lookup", Role::kSubmitter, [&cx](const httplib::Request& req, auto& res, auto&) {
    std::vector<banks::Matcher::FastHit> hits;
    if (!SignalHits(cx, req, 0.0, true, res, &hits)) return;
    const bool dist = req.get_param_value("include_distance") == "true";
    nlohmann::json matches = nlohmann::json::array();
    for (const auto& h : hits) {
      if (dist) matches.push_back({{"bank_content_id", h.entry_id}, {"distance", std::to_string(h.distance)}});
      else matches.push_back(h.entry_id);
    }
    Json(res, {{"matches", matches}});
  }));
  svr.Get("/m/lookup", Guard(cx, "/m/lookup", Role::kSubmitter, [&cx](const httplib::Request& req, auto& res, auto&) {
    if (req.has_param("url")) return Error(res, 400, "needle never fetches URLs (no SSRF): POST the file to /m/lookup");
    std::vector<banks::Matcher::FastHit> hits;
    if (SignalHits(cx, req, Coin(req), false, res, &hits)) Json(res, HitsBody(cx, hits));
  }));
  svr.Post("/m/lookup", Guard(cx, "/m/lookup", Role::kSubmitter, [&cx](const httplib::Request& req, auto& res, auto&) {
    std::string type;
    const auto* f = Upload(req, &type);
    if (!f) return Error(res, 400, "expected exactly one file, in a form field named photo or video");
    const auto* data = reinterpret_cast<const uint8_t*>(f->content.data());
    if (type == "video") {
      const std::string md5 = hash::DigestBytes(data, f->content.size()).md5;
      auto found = Md5Hits(cx, md5, Coin(req), util::SplitComma(req.get_param_value("banks")));
      if (!found.ok()) return Error(res, 500, found.status().message());
      return Json(res, {{"video_md5", HitsBody(cx, *found)}});
    }
    if (type != "photo") return Error(res, 400, "the form field must be named photo or video");
    auto rec = hash::HashBytes("upload", data, f->content.size(), {});
    nlohmann::json out = nlohmann::json::object();
    if (rec.pdq)
      out["pdq"] = LookupBody(cx, rec.pdq->hash, rec.pdq->quality, Coin(req), util::SplitComma(req.get_param_value("banks")));
    else if (!rec.error.ok())
      return Error(res, 400, "could not hash the upload: " + rec.error.message());
    Json(res, out);
  }));
  svr.Post("/m/compare", Guard(cx, "/m/compare", Role::kSubmitter, [](const httplib::Request& req, auto& res, auto&) {
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return Error(res, 400, "expected a JSON object");
    nlohmann::json out = nlohmann::json::object();
    for (auto& [type, pair] : body.items()) {
      if (type != "pdq") return Error(res, 400, "only pdq can be compared");
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
        return Error(res, 400, "pdq: expected exactly two hashes");
      auto a = ParsePdq(pair[0]), b = ParsePdq(pair[1]);
      if (!a || !b) return Error(res, 400, "pdq: hashes must be 64 hex characters");
      int d = hash::Distance(*a, *b);
      out["pdq"] = {d <= 31, {{"distance", d}}};
    }
    Json(res, out);
  }));
  svr.Get("/m/index/status", Guard(cx, "/m/index/status", Role::kSubmitter, [&cx](auto&, auto& res, auto&) {
    Json(res, {{"pdq", {{"present", true}, {"built_to", std::time(nullptr)}, {"size", cx.matcher->IndexSize()}}}});
  }));

  // --- curator
  // HMA's signal- and content-type configuration, read-only: needle always
  // offers both of HMA's default signal types and both content types.
  svr.Get("/c/signal_type", Guard(cx, "/c/signal_type", Role::kCurator, [](auto&, auto& res, auto&) {
    Json(res, nlohmann::json::array({{{"name", "pdq"}, {"enabled_ratio", 1.0}},
                                     {{"name", "video_md5"}, {"enabled_ratio", 1.0}}}));
  }));
  svr.Put(R"(/c/signal_type/([A-Za-z0-9_]+))", Guard(cx, "/c/signal_type", Role::kCurator, [](auto&, auto& res, auto&) {
    Error(res, 400, "needle does not switch signal types off: set the banks' enabled_ratio (PUT /c/bank/<name>) instead");
  }));
  svr.Get("/c/content_type", Guard(cx, "/c/content_type", Role::kCurator, [](auto&, auto& res, auto&) {
    Json(res, nlohmann::json::array({{{"name", "photo"}, {"enabled", true}}, {{"name", "video"}, {"enabled", true}}}));
  }));
  // The indexes are updated with every bank change, so they are never out of
  // date: built to now. newest_db_item: the last change to any bank.
  svr.Get("/c/signal_type/index", Guard(cx, "/c/signal_type/index", Role::kCurator,
      [&cx](const httplib::Request& req, auto& res, auto&) {
    const std::string only = req.get_param_value("signal_type");
    if (!only.empty() && only != "pdq" && only != "video_md5") return Error(res, 400, kSignalTypes);
    int64_t newest = 0;
    for (const auto& b : cx.matcher->Banks()) newest = std::max(newest, UnixSeconds(b.updated));
    auto status = [&](int64_t size) {
      return nlohmann::json{{"db_size", size}, {"index_size", size}, {"index_out_of_date", false},
                            {"newest_db_item", newest}, {"index_built_to", int64_t(std::time(nullptr))}};
    };
    nlohmann::json out = nlohmann::json::object();
    if (only.empty() || only == "pdq") out["pdq"] = status(int64_t(cx.matcher->IndexSize()));
    if (only.empty() || only == "video_md5") {
      std::lock_guard<std::mutex> l(cx.store_mu);
      auto n = cx.store->CountDigests(store::DigestType::kMd5);
      if (!n.ok()) return Error(res, 500, n.status().message());
      out["video_md5"] = status(*n);
    }
    Json(res, out);
  }));
  svr.Get("/c/banks", Guard(cx, "/c/banks", Role::kCurator, [&cx](auto&, auto& res, auto&) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& b : cx.matcher->Banks()) out.push_back(BankJson(b));
    Json(res, out);
  }));
  svr.Post("/c/banks", Guard(cx, "/c/banks", Role::kCurator, [&cx](const httplib::Request& req, auto& res, auto& who) {
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    const char* usage = "expected {\"name\": \"BANK_NAME\", \"enabled_ratio\"?: 0..1, \"enabled\"?: true|false}";
    if (body.is_discarded() || !body.is_object() || !body.contains("name") || !body["name"].is_string())
      return Error(res, 400, usage);
    store::BankConfig c;
    c.name = body["name"];
    if (!ApplyBankFields(body, &c)) return Error(res, 400, usage);
    Result<store::BankConfig> b = InvalidArgument("");
    {
      std::lock_guard<std::mutex> l(cx.store_mu);  // RefreshBanks reads the store too
      b = cx.store->CreateBank(c);
      if (b.ok()) (void)cx.matcher->RefreshBanks();
    }
    if (!b.ok()) return Error(res, b.status().code() == Code::kAlreadyExists ? 403 : 400, b.status().message());
    AuditRequest(cx, who, "bank.create", {{"bank", c.name}});
    Json(res, BankJson(*b), 201);
  }));
  svr.Get(R"(/c/bank/([A-Za-z0-9_-]+))", Guard(cx, "/c/bank", Role::kCurator, [&cx](const httplib::Request& req, auto& res, auto&) {
    for (const auto& b : cx.matcher->Banks())
      if (b.name == req.matches[1]) return Json(res, BankJson(b));
    Error(res, 404, "no bank named " + std::string(req.matches[1]));
  }));
  svr.Put(R"(/c/bank/([A-Za-z0-9_-]+))", Guard(cx, "/c/bank", Role::kCurator, [&cx](const httplib::Request& req, auto& res, auto& who) {
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    const char* usage = "expected {\"name\"?: \"NEW_NAME\", \"enabled_ratio\"?: 0..1, \"enabled\"?: true|false, "
                        "\"pdq_threshold\"?: 0..63}";
    if (body.is_discarded() || !body.is_object()) return Error(res, 400, usage);
    if (body.contains("name") && !body["name"].is_string()) return Error(res, 400, usage);
    std::lock_guard<std::mutex> l(cx.store_mu);
    auto b = cx.store->GetBank(req.matches[1]);
    if (!b.ok()) return Error(res, 404, b.status().message());
    if (!ApplyBankFields(body, &*b)) return Error(res, 400, usage);
    const std::string to = body.value("name", b->name);
    auto t = store::Transaction::Begin(cx.store->db());  // the rename and the settings together, or neither
    if (!t.ok()) return Error(res, 500, t.status().message());
    Status st = cx.store->RenameBank(b->name, to);
    if (!st.ok()) return Error(res, st.code() == Code::kAlreadyExists ? 403 : 400, st.message());
    b->name = to;
    st = cx.store->UpdateBank(*b);
    if (st.ok()) st = (*t)->Commit();
    if (!st.ok()) return Error(res, 400, st.message());
    (void)cx.matcher->RefreshBanks();
    (void)cx.store->Audit("bank.update",
                          {{"bank", std::string(req.matches[1])}, {"token_id", who.token_id}, {"body", body}});
    Json(res, BankJson(*b));
  }));
  svr.Delete(R"(/c/bank/([A-Za-z0-9_-]+))", Guard(cx, "/c/bank", Role::kCurator, [&cx](const httplib::Request& req, auto& res, auto& who) {
    std::lock_guard<std::mutex> l(cx.store_mu);
    Status st = cx.store->DeleteBank(req.matches[1]);
    if (!st.ok()) return Error(res, st.code() == Code::kNotFound ? 404 : 400, st.message());
    (void)cx.matcher->RefreshBanks();
    (void)cx.store->Audit("bank.delete", {{"bank", std::string(req.matches[1])}, {"token_id", who.token_id}});
    Json(res, {{"deleted", std::string(req.matches[1])}});
  }));

  auto add_entry = [&cx](const std::string& bank, banks::HashRecord r, httplib::Response& res, const Principal& who) {
    banks::DefaultKey(&r);
    int64_t id = 0, bank_id = 0;
    {
      std::lock_guard<std::mutex> l(cx.store_mu);
      auto b = cx.store->GetBank(bank);
      if (!b.ok()) return Error(res, 404, b.status().message());
      bank_id = b->id;
      auto added = cx.store->AddEntry(bank, r);
      if (!added.ok()) return Error(res, 400, added.status().message());
      id = *added;
      (void)cx.store->Audit("bank.content.add", {{"bank", bank}, {"entry", id}, {"token_id", who.token_id}});
    }
    if (r.pdq) cx.matcher->AddLive(id, bank_id, *hash::Hash256::FromHex(*r.pdq));  // live: no rebuild
    Json(res, {{"id", id}, {"signals", EntrySignals(r)}}, 201);
  };
  svr.Post(R"(/c/bank/([A-Za-z0-9_-]+)/signal)", Guard(cx, "/c/bank/signal", Role::kCurator,
      [add_entry](const httplib::Request& req, auto& res, auto& who) {
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    const char* usage = "expected {\"pdq\": \"<64 hex>\"} or {\"video_md5\": \"<32 hex>\"}";
    if (body.is_discarded() || !body.is_object()) return Error(res, 400, usage);
    banks::HashRecord r;
    if (body.contains("pdq")) {
      if (!body["pdq"].is_string()) return Error(res, 400, usage);
      auto pdq = banks::NormalizeHex(body["pdq"].get<std::string>(), 64, "pdq");
      if (!pdq.ok()) return Error(res, 400, pdq.status().message());
      r.pdq = *pdq;
    }
    if (body.contains("video_md5")) {
      if (!body["video_md5"].is_string()) return Error(res, 400, usage);
      auto md5 = banks::NormalizeHex(body["video_md5"].get<std::string>(), 32, "video_md5");
      if (!md5.ok()) return Error(res, 400, md5.status().message());
      r.md5 = *md5;
      r.tags.push_back("video");
    }
    if (!r.pdq && !r.md5) return Error(res, 400, usage);
    if (body.contains("note") && body["note"].is_string()) r.metadata["note"] = body["note"];
    add_entry(req.matches[1], r, res, who);
  }));
  svr.Post(R"(/c/bank/([A-Za-z0-9_-]+)/content)", Guard(cx, "/c/bank/content", Role::kCurator,
      [add_entry](const httplib::Request& req, auto& res, auto& who) {
    if (req.has_param("url")) return Error(res, 400, "needle never fetches URLs (no SSRF): upload the file");
    std::string type;
    const auto* f = Upload(req, &type);
    if (!f) return Error(res, 400, "expected exactly one file, in a form field named photo or video");
    if (type != "photo" && type != "video") return Error(res, 400, "the form field must be named photo or video");
    const auto* data = reinterpret_cast<const uint8_t*>(f->content.data());
    banks::HashRecord r;
    if (type == "video") {  // video_md5 (and the SHA-256 beside it); no frames are decoded
      const hash::Digests d = hash::DigestBytes(data, f->content.size());
      r.md5 = d.md5;
      r.sha256 = d.sha256;
      r.tags.push_back("video");
    } else {
      auto rec = hash::HashBytes("upload", data, f->content.size(), {});
      if (!rec.pdq) return Error(res, 400, "could not hash the upload: " + rec.error.message());
      r.pdq = rec.pdq->hash.ToHex();
      r.md5 = rec.digests->md5;
      r.sha256 = rec.digests->sha256;
    }
    if (req.has_file("metadata")) {
      r.metadata = nlohmann::json::parse(req.get_file_value("metadata").content, nullptr, false);
      if (!r.metadata.is_object())
        return Error(res, 400, "metadata must be a JSON object: {\"content_id\"?, \"content_uri\"?, \"json\"?}");
    }
    if (req.has_file("note")) r.metadata["note"] = req.get_file_value("note").content;
    add_entry(req.matches[1], r, res, who);
  }));
  svr.Get(R"(/c/bank/([A-Za-z0-9_-]+)/content/(\d+))", Guard(cx, "/c/bank/content", Role::kCurator,
      [&cx](const httplib::Request& req, auto& res, auto&) {
    const auto id = PathId(req, 2);
    if (!id) return Error(res, 404, "no such content");
    std::lock_guard<std::mutex> l(cx.store_mu);
    ContentResponse(cx, req, *id, res);
  }));
  // HMA's content update: disable the entry for lookups until a time (0 or a
  // past time enables it again) and/or set its note.
  svr.Put(R"(/c/bank/([A-Za-z0-9_-]+)/content/(\d+))", Guard(cx, "/c/bank/content", Role::kCurator,
      [&cx](const httplib::Request& req, auto& res, auto& who) {
    const auto id = PathId(req, 2);
    if (!id) return Error(res, 404, "no such content");
    const char* usage = "expected {\"disable_until_ts\": <Unix seconds, 0 to enable, at most 5 years ahead>, \"note\": \"...\"}"
                        " (either or both)";
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || (!body.contains("disable_until_ts") && !body.contains("note")))
      return Error(res, 400, usage);
    std::optional<int64_t> until;
    std::optional<std::string> note;
    if (body.contains("disable_until_ts")) {
      const auto& v = body["disable_until_ts"];
      constexpr int64_t kFiveYears = 5 * 31'556'952;  // Gregorian years, in seconds
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > int64_t(std::time(nullptr)) + kFiveYears)
        return Error(res, 400, usage);
      until = v.get<int64_t>();
    }
    if (body.contains("note")) {
      if (!body["note"].is_string()) return Error(res, 400, usage);
      note = body["note"].get<std::string>();
    }
    std::lock_guard<std::mutex> l(cx.store_mu);
    Status st = cx.store->UpdateEntryState(req.matches[1], *id, until, note);
    if (!st.ok()) return Error(res, st.code() == Code::kNotFound ? 404 : 400, st.message());
    (void)cx.matcher->RefreshDisabled();
    (void)cx.store->Audit("bank.content.update",
                          {{"bank", std::string(req.matches[1])}, {"entry", *id}, {"token_id", who.token_id}, {"body", body}});
    ContentResponse(cx, req, *id, res);
  }));
  svr.Delete(R"(/c/bank/([A-Za-z0-9_-]+)/content/(\d+))", Guard(cx, "/c/bank/content", Role::kCurator,
      [&cx](const httplib::Request& req, auto& res, auto& who) {
    const auto pid = PathId(req, 2);
    if (!pid) return Error(res, 404, "no such content");
    const int64_t id = *pid;
    int n = 0;
    {
      std::lock_guard<std::mutex> l(cx.store_mu);
      auto removed = cx.store->RemoveEntry(req.matches[1], id);
      if (!removed.ok()) return Error(res, 404, removed.status().message());
      n = *removed;
      (void)cx.store->Audit("bank.content.delete", {{"bank", std::string(req.matches[1])}, {"entry", id}, {"token_id", who.token_id}});
    }
    if (n > 0) cx.matcher->RemoveLive({id});
    Json(res, {{"deleted", n}});
  }));
}

}  // namespace needle::serve
