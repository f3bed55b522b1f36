#include "serve/server.h"

#include <opencv2/core/utility.hpp>

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <thread>

#include "serve/context.h"
#include "serve/lean_server.h"

namespace needle::serve {

void Error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"message", message}}.dump(), "application/json");
}

void Json(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

std::optional<int64_t> PathId(const httplib::Request& req, size_t group) {
  if (group >= req.matches.size()) return std::nullopt;
  const std::string s = req.matches[group];
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return id;
}

httplib::Server::Handler Guard(Context& cx, const std::string& route, Role role, Handler h) {
  return [&cx, route, role, h](const httplib::Request& req, httplib::Response& res) {
    const auto t0 = std::chrono::steady_clock::now();
    auto who = cx.auth.Check(req.get_header_value("Authorization"));
    if (!who) {
      res.set_header("WWW-Authenticate", "Bearer");
      Error(res, 401, "a valid API token is required: Authorization: Bearer <token> (needle token create)");
    } else if (!TokenAuth::Allows(who->role, role)) {
      Error(res, 403, std::string("this token's role (") + RoleName(who->role) + ") may not use this endpoint; it needs " +
                          RoleName(role));
    } else {
      try {
        cx.work_slots->acquire();
        struct Release {
          WorkSlots* s;
          ~Release() { s->release(); }
        } release{cx.work_slots.get()};
        h(req, res, *who);
      } catch (const std::exception& e) {
        Error(res, 500, std::string("internal error: ") + e.what());
      }
    }
    cx.metrics.Request(route, res.status, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  };
}

bool CountMatch(Context& cx, int64_t entry_id, const std::string& bank) {
  cx.metrics.Match(bank);
  if (!cx.flood.Record(entry_id)) return false;
  cx.metrics.Quarantined();
  return true;
}

Result<std::vector<banks::Matcher::FastHit>> Md5Hits(Context& cx, const std::string& md5, double coin,
                                                     const std::vector<std::string>& banks, bool ignore_enabled) {
  std::lock_guard<std::mutex> l(cx.store_mu);
  return cx.matcher->LookupDigestFast(store::DigestType::kMd5, md5, coin, banks, ignore_enabled);
}

void AuditRequest(Context& cx, const Principal& who, const std::string& action, const nlohmann::json& details) {
  nlohmann::json d = details;
  d["token_id"] = who.token_id;
  d["role"] = RoleName(who.role);
  std::lock_guard<std::mutex> l(cx.store_mu);
  (void)cx.store->Audit(action, d);
}

namespace {

// A fixed pool of connection threads that accepts no connection it has no
// free thread for: the accept loop itself waits (backpressure into the
// kernel's listen backlog) instead of queueing without bound.
class BoundedPool : public httplib::TaskQueue {
 public:
  explicit BoundedPool(size_t threads) : pool_(threads), threads_(threads) {}  // threads >= 1
  void enqueue(std::function<void()> fn) override {
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return pending_ < threads_; });
      ++pending_;
    }
    pool_.enqueue([this, fn = std::move(fn)] {
      fn();
      std::lock_guard<std::mutex> l(mu_);
      --pending_;
      cv_.notify_one();
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  size_t threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t pending_ = 0;
};

}  // namespace

Status RunServer(const ServeOptions& o, const std::atomic<bool>* stop) {
  auto cx = std::make_unique<Context>();
  cx->options = o;
  cx->flood.Configure(o.flood_limit, o.flood_window_s);
  NEEDLE_ASSIGN_OR_RETURN(cx->store, store::BankStore::Open(o.store_dir, true));
  NEEDLE_ASSIGN_OR_RETURN(cx->matcher, banks::Matcher::Open(*cx->store, true,
                                                              o.resident_index ? banks::IndexMemory::kResident
                                                                               : banks::IndexMemory::kMapped));
  NEEDLE_RETURN_IF_ERROR(cx->auth.Load(*cx->store));
  if (!o.case_dir.empty()) {
    NEEDLE_ASSIGN_OR_RETURN(cx->case_store, store::CaseStore::Open(o.case_dir, false));
  }
  if (o.detect) {
    // A configured detector that cannot load stops the start: a service that
    // silently answered without pixel evidence would mislead its callers.
    const std::string model = o.detector_model.empty() ? detect::DefaultModelPath() : o.detector_model;
    NEEDLE_ASSIGN_OR_RETURN(auto set, detect::DetectorSet::Load(model));
    triage::ApplyDetectorCalibration(&cx->triage, set.config().threshold, set.config().uncertain_from);
    cx->detectors = std::make_unique<detect::DetectorPool>(std::move(set));
    // The worker pool is the parallelism: one OpenCV thread per request.
    cv::setNumThreads(1);
  }

  std::unique_ptr<httplib::Server> svr;
  if (!o.tls_cert.empty() || !o.tls_key.empty()) {
    if (o.tls_cert.empty() || o.tls_key.empty()) return InvalidArgument("--tls-cert and --tls-key go together");
    auto tls = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
    if (!tls->is_valid()) return InvalidArgument("could not load the TLS certificate or key");
    svr = std::move(tls);
  } else {
    svr = o.lean_connections ? std::make_unique<LeanServer>() : std::make_unique<httplib::Server>();
  }
  // cpp-httplib serves a connection on one thread for as long as it is kept
  // alive, so there is a thread per connection (max_connections) and the
  // work itself is limited to `threads` requests at once (Guard). With only
  // `threads` connection threads, 8 requests a connection (so that waiting
  // connections got a turn) and stalled clients holding workers, 10M-code
  // lookups with 2 workers (bench/serve-bench, same run): 4 connections
  // 10.3k/s p99 2.3 ms -> 10.6k/s p99 1.8 ms; 32 connections 8.0k/s p99
  // 34 ms -> 11.7k/s p99 16 ms.
  // A semaphore, so a request may overtake ones already waiting for a slot.
  // A first-come-first-served gate was measured (10M, 2 workers): at 4
  // connections the same 12.3k/s with p99 0.8 ms instead of 2.1, but at 32,
  // 9.8-10.0k/s (p99 4.4-4.9 ms) instead of 13.3-14.4k/s (p99 14-15 ms):
  // every hand-off wakes a sleeping thread while the slot idles. The
  // semaphore wakes one waiter per release (serve/work_slots.h); libstdc++'s
  // woke them all to race for the slot: 10M, 2 workers, alternating runs,
  // 8 connections p99 4.6-5.2 -> 1.5-1.6 ms, 32 connections p99 14-74 ->
  // 4.9-8.3 ms, throughput within the runs' noise (13.1-15.4k/s both).
  cx->work_slots = std::make_unique<WorkSlots>(unsigned(std::max(1, o.threads)));
  const size_t max_conn = std::max<size_t>(1, o.max_connections);
  svr->new_task_queue = [max_conn] { return new BoundedPool(max_conn); };
  svr->set_payload_max_length(o.max_body_bytes);
  svr->set_read_timeout(o.read_timeout_s, 0);
  svr->set_write_timeout(o.write_timeout_s, 0);
  // Connections beyond max_connections wait in the listen backlog: a cap on
  // requests per connection still gives them a turn under steady load. Each
  // reconnect is dear on loopback (an empty route at 2 connections: 77k/s
  // kept alive, 50k/s reconnecting every 1,000 requests, 33k every 100).
  svr->set_keep_alive_max_count(1000);
  svr->set_tcp_nodelay(true);  // without it, Nagle + delayed ACK add 40 ms to every response
  svr->set_keep_alive_timeout(1);
  svr->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    Error(res, 500, "internal error");
  });

  RegisterHmaRoutes(*svr, *cx);
  RegisterNativeRoutes(*svr, *cx);
  RegisterBatchLookup(*svr, *cx);
  RegisterReviewRoutes(*svr, *cx);
  svr->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      if (res.status == 413) Error(res, 413, "content too large");
      else if (res.status == 404) Error(res, 404, "no such endpoint");
      else Error(res, res.status, "request refused");
    }
  });

  const int port = o.port == 0 ? svr->bind_to_any_port(o.host) : (svr->bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0) return IoError("cannot listen on " + o.host + ":" + std::to_string(o.port));
  if (o.on_listening) o.on_listening(port);
  std::thread watcher;
  if (stop) {
    watcher = std::thread([&] {
      while (!stop->load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      svr->stop();
    });
  }
  bool ok = svr->listen_after_bind();
  if (watcher.joinable()) watcher.join();
  return ok || (stop && stop->load()) ? Status::Ok() : IoError("the server stopped unexpectedly");
}

}  // namespace needle::serve
