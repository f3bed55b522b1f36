// What every route handler shares. Internal to src/serve.
#pragma once

#include <httplib.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "banks/matcher.h"
#include "detect/detector_pool.h"
#include "triage/triage_config.h"
#include "serve/auth.h"
#include "serve/flood_control.h"
#include "serve/metrics.h"
#include "serve/server.h"
#include "serve/work_slots.h"
#include "store/bank_store.h"
#include "store/case_store.h"

namespace needle::serve {

struct Context {
  ServeOptions options;
  std::unique_ptr<store::BankStore> store;
  std::mutex store_mu;  // the SQLite handle is used by one thread at a time
  std::unique_ptr<banks::Matcher> matcher;
  std::unique_ptr<store::CaseStore> case_store;  // review queue; may be null
  std::mutex case_mu;
  TokenAuth auth;
  Metrics metrics;
  FloodControl flood{1000, 60};
  std::unique_ptr<detect::DetectorPool> detectors;  // null: no pixel detector
  triage::TriageConfig triage = triage::DefaultTriageConfig();
  // Requests handled at once (options.threads): connections have a thread
  // each, the work of answering them takes one of these slots.
  std::unique_ptr<WorkSlots> work_slots;
};

// HMA error shape: {"message": "..."} with the status.
void Error(httplib::Response& res, int status, const std::string& message);
void Json(httplib::Response& res, const nlohmann::json& body, int status = 200);

// The id captured (as \d+) by path group `group`, or nullopt when it does
// not fit an int64: then nothing has that id, and the caller answers 404.
std::optional<int64_t> PathId(const httplib::Request& req, size_t group);

// Wraps a handler: token check for `role`, metrics, exception firewall.
using Handler = std::function<void(const httplib::Request&, httplib::Response&, const Principal&)>;
httplib::Server::Handler Guard(Context& cx, const std::string& route, Role role, Handler h);

// Audit a state-changing request in the bank store's log.
void AuditRequest(Context& cx, const Principal& who, const std::string& action, const nlohmann::json& details);

// A match about to be answered: counted per bank in the metrics and by flood
// control; true when its entry is quarantined (the caller marks the match).
bool CountMatch(Context& cx, int64_t entry_id, const std::string& bank);

// The fast lookup of an MD5 (HMA's video_md5), under the store lock.
Result<std::vector<banks::Matcher::FastHit>> Md5Hits(Context& cx, const std::string& md5, double coin,
                                                     const std::vector<std::string>& banks,
                                                     bool ignore_enabled = false);

void RegisterHmaRoutes(httplib::Server& svr, Context& cx);
void RegisterNativeRoutes(httplib::Server& svr, Context& cx);
void RegisterBatchLookup(httplib::Server& svr, Context& cx);  // POST /v1/lookup
void RegisterReviewRoutes(httplib::Server& svr, Context& cx);

}  // namespace needle::serve
