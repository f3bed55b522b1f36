// The review queue: a static page (web/review/, no CDN) and the reviewer
// API behind it. Items come in triage priority order; thumbnails are served
// only to reviewers and blurred by the page until revealed; decisions
// (Project VIC categories 0-5 by default, or another configured set) apply
// to an item or its whole cluster and go into the case's audit log.
#include <cstring>
#include <fstream>
#include <sstream>

#include "report/report.h"
#include "report/thumbnail.h"
#include "serve/context.h"

namespace needle::serve {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Reviewer(const Principal& who) { return "token-" + std::to_string(who.token_id); }

}  // namespace

void RegisterReviewRoutes(httplib::Server& svr, Context& cx) {
  // Static assets: the page holds no case data; the API behind it needs a token.
  svr.Get(R"(/review/?)", [&cx](const httplib::Request&, httplib::Response& res) {
    std::string html = ReadAll(cx.options.web_root + "/review/index.html");
    if (html.empty()) return Error(res, 404, "review UI not installed (web/review/index.html)");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; script-src 'self'");
    res.set_content(html, "text/html; charset=utf-8");
  });
  svr.Get(R"(/review/(app\.js|style\.css))", [&cx](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    std::string body = ReadAll(cx.options.web_root + "/review/" + name);
    if (body.empty()) return Error(res, 404, "not found");
    res.set_content(body, name == "app.js" ? "application/javascript" : "text/css");
  });

  auto need_case = [&cx](httplib::Response& res) {
    if (!cx.case_store) Error(res, 404, "no case is open: start needle serve with --case DIR");
    return cx.case_store != nullptr;
  };
  svr.Get("/v1/review/config", Guard(cx, "/v1/review/config", Role::kReviewer, [&cx](auto&, auto& res, auto& who) {
    std::string reveal;
    if (cx.case_store) {
      std::lock_guard<std::mutex> l(cx.case_mu);
      auto r = cx.case_store->Setting(Reviewer(who), "reveal");
      if (r.ok()) reveal = *r;
    }
    Json(res, {{"categories", cx.options.categories}, {"reviewer", Reviewer(who)},
               {"settings", {{"reveal", reveal.empty() ? "blurred" : reveal}}}});
  }));
  svr.Put("/v1/review/settings", Guard(cx, "/v1/review/settings", Role::kReviewer,
      [&cx, need_case](const httplib::Request& req, auto& res, auto& who) {
    if (!need_case(res)) return;
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.contains("reveal") || !body["reveal"].is_string() ||
        (body["reveal"] != "blurred" && body["reveal"] != "clear"))
      return Error(res, 400, "expected {\"reveal\": \"blurred\" | \"clear\"}");
    std::lock_guard<std::mutex> l(cx.case_mu);
    Status st = cx.case_store->SetSetting(Reviewer(who), "reveal", body["reveal"]);
    if (!st.ok()) return Error(res, 500, st.message());
    Json(res, {{"reveal", body["reveal"]}});
  }));
  svr.Get("/v1/case/items", Guard(cx, "/v1/case/items", Role::kReviewer, [&cx, need_case](auto&, auto& res, auto&) {
    if (!need_case(res)) return;
    std::lock_guard<std::mutex> l(cx.case_mu);
    auto items = report::SortedItems(*cx.case_store);
    auto decisions = cx.case_store->Decisions();
    if (!items.ok() || !decisions.ok()) return Error(res, 500, "could not read the case");
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *items) {
      nlohmann::json j{{"id", r.id}, {"class", r.klass}, {"priority", r.priority}, {"reasons", r.explanation},
                       {"cluster", r.cluster_id}, {"paths", r.paths}, {"sha256", r.sha256},
                       {"thumbnail", r.error_code.empty()}};
      auto d = decisions->find(r.id);
      if (d != decisions->end()) j["decision"] = {{"category", d->second.category}, {"note", d->second.note},
                                                  {"reviewer", d->second.reviewer}, {"at", d->second.at}};
      out.push_back(j);
    }
    Json(res, out);
  }));
  svr.Get(R"(/v1/case/items/(\d+)/thumbnail)", Guard(cx, "/v1/case/items/thumbnail", Role::kReviewer,
      [&cx, need_case](const httplib::Request& req, auto& res, auto&) {
    if (!need_case(res)) return;
    const auto id = PathId(req, 1);
    if (!id) return Error(res, 404, "no such item");
    auto paths = [&cx, &id] {  // the lock is not held while the thumbnail is made
      std::lock_guard<std::mutex> l(cx.case_mu);
      return cx.case_store->ItemPaths(*id);
    }();
    if (!paths.ok()) return Error(res, 500, paths.status().message());
    if (paths->empty()) return Error(res, 404, "no such item");
    auto jpeg = report::ThumbnailJpeg(paths->front(), 240);
    if (!jpeg.ok()) return Error(res, 404, jpeg.status().message());
    res.set_header("Cache-Control", "no-store");
    res.set_content(*jpeg, "image/jpeg");
  }));
  svr.Post(R"(/v1/case/items/(\d+)/decision)", Guard(cx, "/v1/case/items/decision", Role::kReviewer,
      [&cx, need_case](const httplib::Request& req, auto& res, auto& who) {
    if (!need_case(res)) return;
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.contains("category") || !body["category"].is_string())
      return Error(res, 400, "expected {\"category\": \"...\", \"scope\": \"item\"|\"cluster\", \"note\": \"...\"}");
    const std::string cat = body["category"];
    bool known = false;
    for (const auto& c : cx.options.categories) known |= c.value("id", "") == cat;
    if (!known) return Error(res, 400, "unknown category '" + cat + "'");
    const bool cluster = body.value("scope", "item") == "cluster";
    const auto id = PathId(req, 1);
    if (!id) return Error(res, 404, "no such item");
    std::lock_guard<std::mutex> l(cx.case_mu);
    auto n = cx.case_store->Decide(*id, cat, body.value("note", ""), cluster, Reviewer(who));
    if (!n.ok()) return Error(res, n.status().code() == Code::kNotFound ? 404 : 500, n.status().message());
    Json(res, {{"updated", *n}, {"category", cat}, {"scope", cluster ? "cluster" : "item"}});
  }));
  svr.Get("/v1/case/export/vics", Guard(cx, "/v1/case/export/vics", Role::kReviewer,
      [&cx, need_case](auto&, auto& res, auto& who) {
    if (!need_case(res)) return;
    std::lock_guard<std::mutex> l(cx.case_mu);
    std::ostringstream out;
    Status st = report::WriteReport(*cx.case_store, report::ReportFormat::kVics, {}, out);
    if (!st.ok()) return Error(res, 500, st.message());
    auto j = nlohmann::json::parse(out.str(), nullptr, false);
    auto decisions = cx.case_store->Decisions();
    if (!j.is_discarded() && decisions.ok())
      for (auto& m : j["value"]) {
        auto d = decisions->find(m.value("MediaID", int64_t(0)));
        if (d == decisions->end()) continue;
        try {
          m["Category"] = std::stoi(d->second.category);
        } catch (...) {
          m["Tags"].push_back("category:" + d->second.category);  // a non-numeric set (UK A/B/C)
        }
        m["IsPrecategorized"] = true;
      }
    (void)cx.case_store->Audit("review.export.vics", {{"reviewer", Reviewer(who)}});
    Json(res, j);
  }));
}

}  // namespace needle::serve
