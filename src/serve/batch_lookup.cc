// POST /v1/lookup: many hashes in one request, for a platform's backfill or
// a pipeline that batches. One request carries its HTTP and TCP cost once
// for up to kMaxHashes lookups: a single /m/lookup costs the server ~110-130
// us of CPU on this 2-core VM, ~70-90 of them the 10M-code index search.
#include <string>
#include <vector>

#include "banks/hash_record.h"
#include "serve/context.h"

namespace needle::serve {
namespace {

constexpr size_t kMaxHashes = 10000;

// The hashes under `key` (an array of hex strings of `hex_len`), normalised;
// false with `error` set when one is not.
bool HashList(const nlohmann::json& body, const char* key, size_t hex_len, std::vector<std::string>* out,
              std::string* error) {
  if (!body.contains(key)) return true;
  const auto& v = body[key];
  if (!v.is_array()) {
    *error = std::string(key) + " must be an array of hex strings";
    return false;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    auto h = v[i].is_string() ? banks::NormalizeHex(v[i].get<std::string>(), hex_len, key)
                              : Result<std::string>(InvalidArgument("not a string"));
    if (!h.ok()) {
      *error = std::string(key) + "[" + std::to_string(i) + "] must be " + std::to_string(hex_len) +
               " hex characters";
      return false;
    }
    out->push_back(std::move(*h));
  }
  return true;
}

nlohmann::json HitsJson(Context& cx, const std::vector<banks::Matcher::FastHit>& hits) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& h : hits) {
    nlohmann::json m{{"bank", h.bank}, {"entry", h.entry_id}, {"distance", h.distance}};
    if (CountMatch(cx, h.entry_id, h.bank)) m["quarantined"] = true;
    a.push_back(std::move(m));
  }
  return a;
}

}  // namespace

void RegisterBatchLookup(httplib::Server& svr, Context& cx) {
  svr.Post("/v1/lookup", Guard(cx, "/v1/lookup", Role::kSubmitter, [&cx](const httplib::Request& req, auto& res, auto&) {
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return Error(res, 400, "send a JSON object: {\"pdq\": [HEX, ...], \"md5\": [HEX, ...], \"banks\": [NAME, ...]}");
    std::vector<std::string> pdq, md5, only_banks;
    std::string error;
    if (!HashList(body, "pdq", 64, &pdq, &error) || !HashList(body, "md5", 32, &md5, &error))
      return Error(res, 400, error);
    if (body.contains("banks")) {
      const auto& b = body["banks"];
      bool ok = b.is_array();
      for (size_t i = 0; ok && i < b.size(); ++i) ok = b[i].is_string();
      if (!ok) return Error(res, 400, "banks must be an array of bank names");
      for (const auto& name : b) only_banks.push_back(name.get<std::string>());
    }
    if (pdq.size() + md5.size() > kMaxHashes)
      return Error(res, 400, "at most " + std::to_string(kMaxHashes) + " hashes a request; split the batch");
    // Every enabled bank (no coinflip: a batch is not a sampled live
    // check), each within its own threshold; disabled entries dropped.
    nlohmann::json out = nlohmann::json::object();
    if (body.contains("pdq")) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& h : pdq)
        a.push_back(HitsJson(cx, cx.matcher->LookupPdqFast(*hash::Hash256::FromHex(h), std::nullopt, 0.0, only_banks)));
      out["pdq"] = std::move(a);
    }
    if (body.contains("md5")) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& h : md5) {
        auto hits = Md5Hits(cx, h, 0.0, only_banks);
        if (!hits.ok()) return Error(res, 500, "bank lookup failed: " + hits.status().message());
        a.push_back(HitsJson(cx, *hits));
      }
      out["md5"] = std::move(a);
    }
    Json(res, out);
  }));
}

}  // namespace needle::serve
