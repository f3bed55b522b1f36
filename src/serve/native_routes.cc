// needle's own API (/v1): one-call submission (digests, PDQ, matches,
// provenance, verdict), bank listing, flood quarantine, health, metrics.
#include <map>

#include "banks/record_lookup.h"
#include "hash/file_hasher.h"
#include "hash/hash_record_json.h"
#include "media/decode.h"
#include "provenance/inspector.h"
#include "serve/context.h"
#include "triage/verdict.h"

namespace needle::serve {

void RegisterNativeRoutes(httplib::Server& svr, Context& cx) {
  svr.Get("/v1/health", Guard(cx, "/v1/health", Role::kSubmitter, [&cx](auto&, auto& res, auto&) {
    Json(res, {{"status", "ok"}, {"index_size", cx.matcher->IndexSize()}, {"banks", cx.matcher->Banks().size()},
               {"review_queue", cx.case_store != nullptr}});
  }));
  svr.Get("/v1/metrics", Guard(cx, "/v1/metrics", Role::kSubmitter, [&cx](auto&, auto& res, auto&) {
    res.set_content(cx.metrics.Render(cx.matcher->IndexSize()), "text/plain; version=0.0.4");
  }));
  svr.Get("/v1/banks", Guard(cx, "/v1/banks", Role::kSubmitter, [&cx](auto&, auto& res, auto&) {
    // From the store, not the matcher's copy: entry counts move with every live add.
    Result<std::vector<store::BankConfig>> banks = InvalidArgument("");
    {
      std::lock_guard<std::mutex> l(cx.store_mu);
      banks = cx.store->ListBanks();
    }
    if (!banks.ok()) return Error(res, 500, banks.status().message());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& b : *banks)
      out.push_back({{"name", b.name}, {"kind", store::BankKindName(b.kind)}, {"enabled", b.enabled},
                     {"pdq_threshold", b.pdq_threshold}, {"min_quality", b.min_quality}, {"entries", b.entries},
                     {"version", b.version}});
    Json(res, out);
  }));

  // One call: the file in the body (multipart, any field name, or raw bytes).
  // Processed in memory only; nothing is written to disk.
  svr.Post("/v1/submit", Guard(cx, "/v1/submit", Role::kSubmitter, [&cx](const httplib::Request& req, auto& res, auto&) {
    const std::string* bytes = &req.body;
    if (!req.files.empty()) bytes = &req.files.begin()->second.content;
    if (bytes->empty()) return Error(res, 400, "no content: send the file as the body or as multipart form data");
    const auto* data = reinterpret_cast<const uint8_t*>(bytes->data());
    const std::string dihedral_arg = req.get_param_value("dihedral");
    if (!dihedral_arg.empty() && dihedral_arg != "true" && dihedral_arg != "false")
      return Error(res, 400, "dihedral must be true or false");
    hash::HashOptions ho;
    ho.dihedral = dihedral_arg == "true";
    media::DecodedImage decoded;
    hash::FileHashRecord rec;
    rec.path = "upload";
    rec.size = bytes->size();
    rec.digests = hash::DigestBytes(data, bytes->size());
    hash::HashDecoded(data, bytes->size(), ho, &rec, &decoded);
    nlohmann::json out = hash::ToJson(rec);
    out.erase("path");
    // The same matches as `needle match` and `needle scan` give the file,
    // with the entries' source metadata (category, series...).
    Result<std::vector<banks::Match>> found = std::vector<banks::Match>{};
    {
      std::lock_guard<std::mutex> l(cx.store_mu);
      found = banks::LookupRecord(*cx.matcher, rec, {.dihedral = ho.dihedral});
    }
    if (!found.ok()) return Error(res, 500, "bank lookup failed: " + found.status().message());
    // Flood control counts every matched entry once per upload, whatever
    // matched it (bytes or pixels), as /m/lookup counts PDQ and video_md5.
    nlohmann::json matches = nlohmann::json::array();
    std::map<int64_t, bool> quarantined;  // entry -> flagged, for this upload
    for (const auto& fm : *found) {
      auto [q, first] = quarantined.try_emplace(fm.entry_id, false);
      if (first) q->second = CountMatch(cx, fm.entry_id, fm.bank);
      nlohmann::json m = banks::MatchToJson(fm);
      if (q->second) m["quarantined"] = true;
      matches.push_back(std::move(m));
    }
    provenance::InspectOptions io;
    io.trust_anchors = cx.options.trust_anchors;
    auto ins = provenance::InspectBytes("upload", rec.digests->sha256, data, bytes->size(),
                                        rec.pdq ? &decoded.image : nullptr, io);
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& f : ins.findings) findings.push_back(nlohmann::json(provenance::ToJson(f)));
    triage::VerdictInput vi;
    if (!rec.error.ok()) {
      vi.error_code = std::string(CodeName(rec.error.code()));
      vi.error_message = rec.error.message();
    }
    vi.matches = matches;
    vi.findings = findings;
    nlohmann::json detector = nullptr;
    if (cx.detectors && rec.pdq && decoded.image.channels == 3) {
      detector = detect::DetectForRecord(*cx.detectors, decoded.image, &vi.detector_score);
    }
    auto v = triage::Decide(vi, cx.triage);
    out["matches"] = matches;
    out["findings"] = findings;
    out["c2pa"] = provenance::ToJson(ins.c2pa);
    out["detector_score"] = vi.detector_score ? nlohmann::json(*vi.detector_score) : nlohmann::json(nullptr);
    out["detector"] = detector;
    out["verdict"] = {{"class", v.klass}, {"priority", v.priority}, {"reasons", v.reasons}};
    Json(res, out);
  }));

  svr.Get("/v1/quarantine", Guard(cx, "/v1/quarantine", Role::kCurator, [&cx](auto&, auto& res, auto&) {
    Json(res, {{"quarantined", cx.flood.Quarantined()}});
  }));
  svr.Post(R"(/v1/quarantine/(\d+)/confirm)", Guard(cx, "/v1/quarantine/confirm", Role::kCurator,
      [&cx](const httplib::Request& req, auto& res, auto& who) {
    const auto pid = PathId(req, 1);
    const std::string not_quarantined =
        "entry " + req.matches[1].str() + " is not quarantined (GET /v1/quarantine lists those that are)";
    if (!pid) return Error(res, 404, not_quarantined);
    const int64_t id = *pid;
    if (!cx.flood.Confirm(id)) return Error(res, 404, not_quarantined);
    AuditRequest(cx, who, "quarantine.confirm", {{"entry", id}});
    Json(res, {{"entry", id}, {"quarantined", false}});
  }));
}

}  // namespace needle::serve
