// needle serve: the matching service and review queue. needle token: API tokens.
#include <csignal>
#include <fstream>
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "serve/server.h"

namespace needle::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

struct ServeFlags {
  std::string store, case_dir, listen = "127.0.0.1:8080", tls_cert, tls_key, categories, trust_anchors, web_root, detector_model;
  bool no_detector = false, mapped_index = false, library_connections = false;
  int threads = 2;
  size_t max_connections = 64;
  size_t max_body_mb = 64;
  size_t flood_limit = 1000;
  double flood_window = 60;
  std::string role = "submitter", label;
};

int RunServe(const ServeFlags& f) {
  serve::ServeOptions o;
  o.store_dir = StoreDir(f.store);
  o.case_dir = f.case_dir;
  auto colon = f.listen.rfind(':');
  if (colon == std::string::npos) return Fail("serve", InvalidArgument("--listen must be HOST:PORT"));
  o.host = f.listen.substr(0, colon);
  try {
    o.port = std::stoi(f.listen.substr(colon + 1));
  } catch (...) {
    return Fail("serve", InvalidArgument("--listen must be HOST:PORT"));
  }
  o.threads = f.threads;
  o.max_connections = f.max_connections;
  o.resident_index = !f.mapped_index;
  o.lean_connections = !f.library_connections;
  o.max_body_bytes = f.max_body_mb << 20;
  o.flood_limit = f.flood_limit;
  o.flood_window_s = f.flood_window;
  o.tls_cert = f.tls_cert;
  o.tls_key = f.tls_key;
  o.trust_anchors = f.trust_anchors;
  o.detector_model = f.detector_model;
  o.detect = !f.no_detector;
  o.web_root = f.web_root.empty() ? std::string(NEEDLE_WEB_ROOT) : f.web_root;
  if (!f.categories.empty()) {
    std::ifstream in(f.categories);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return Fail("serve", InvalidArgument("--categories: expected a JSON array"));
    o.categories = j;
  }
  o.on_listening = [&](int port) {
    std::fprintf(stderr, "needle serve: listening on %s://%s:%d (%d workers, %zu connections); review UI at /review\n",
                 o.tls_cert.empty() ? "http" : "https", o.host.c_str(), port, o.threads, o.max_connections);
  };
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  Status st = serve::RunServer(o, &g_stop);
  if (!st.ok()) return Fail("serve", st);
  return kExitOk;
}

int RunTokenCreate(const ServeFlags& f) {
  auto s = store::BankStore::Open(StoreDir(f.store), true);
  if (!s.ok()) return Fail("token create", s.status());
  auto t = (*s)->CreateToken(f.role, f.label);
  if (!t.ok()) return Fail("token create", t.status());
  std::fprintf(stderr, "needle token: a %s token; it is shown once and stored only as a SHA-256 digest:\n",
               f.role.c_str());
  std::cout << *t << std::endl;
  return kExitOk;
}

}  // namespace

Action RegisterServe(CLI::App& app) {
  auto f = std::make_shared<ServeFlags>();
  auto action = std::make_shared<Action>();
  CLI::App* sv = app.add_subcommand("serve", "HMA-compatible matching service, native API and review queue");
  sv->footer(
      "Endpoints (every one needs Authorization: Bearer <token>; create tokens with needle token create):\n"
      "  HMA-compatible: /h/hash, /m/lookup (GET by signal, POST by content), /m/raw_lookup, /m/compare,\n"
      "    /m/index/status, /c/banks, /c/bank/<name>[/content[/<id>]|/signal], /c/signal_type[/index],\n"
      "    /c/content_type, /status, /site-map (differences from HMA: docs/serve.md)\n"
      "  Native: POST /v1/submit[?dihedral=true] (digests, PDQ, matches with their metadata, provenance,\n"
      "    verdict in one call; dihedral: rotated and mirrored copies match too), POST /v1/lookup\n"
      "    (up to 10,000 PDQ/MD5 hashes a request), /v1/banks,\n"
      "    /v1/health, /v1/metrics (Prometheus), /v1/quarantine (flood control)\n"
      "  Review queue (with --case): /review in a browser; /v1/case/items, decisions, VICS export\n"
      "Uploads are processed in memory, never written to disk; no endpoint fetches a URL.\n"
      "Roles: submitter (hash, lookup), curator (banks), reviewer (review queue), admin (all).");
  sv->add_option("--store", f->store, "Bank store (default $NEEDLE_HOME or ~/.local/share/needle)");
  sv->add_option("--case", f->case_dir, "Case folder to review (enables the review queue)");
  sv->add_option("--listen", f->listen, "HOST:PORT (default 127.0.0.1:8080)");
  sv->add_option("--threads", f->threads, "Requests worked on at once, e.g. the machine's cores (default 2)")
      ->check(CLI::Range(1, 256));
  sv->add_option("--max-connections", f->max_connections,
                 "Client connections served at once, a thread each; more wait for one to close (default 64)")
      ->check(CLI::Range(1, 4096));
  sv->add_option("--max-body-mb", f->max_body_mb, "Largest request body in MiB (default 64)");
  sv->add_option("--flood-limit", f->flood_limit, "Matches of one entry per window before quarantine (0 = off)");
  sv->add_option("--flood-window", f->flood_window, "Flood window in seconds (default 60)");
  sv->add_option("--tls-cert", f->tls_cert, "PEM certificate (with --tls-key: HTTPS)");
  sv->add_option("--tls-key", f->tls_key, "PEM private key");
  sv->add_option("--categories", f->categories, "JSON array of review categories (default: Project VIC 0-5)");
  sv->add_option("--trust-anchors", f->trust_anchors, "C2PA trust anchors (PEM) for /v1/submit");
  sv->add_option("--detector-model", f->detector_model, "Pixel detector model description (default: bundled)");
  sv->add_flag("--no-detector", f->no_detector, "/v1/submit without the pixel detector (detector_score null)");
  sv->add_flag("--mapped-index", f->mapped_index,
               "Search the index snapshot through its file mapping instead of a copy in memory on huge pages\n"
               "(less RAM, ~15% fewer lookups/s at 10M hashes)");
  sv->add_flag("--library-connections", f->library_connections,
               "Serve connections with cpp-httplib's own loop instead of needle's leaner one (serve/lean_server.h);\n"
               "for comparison: ~11 system calls a request instead of ~3");
  sv->add_option("--web-root", f->web_root, "Folder holding review/ (default: the source tree's web/)");
  sv->callback([f, action] { *action = [f] { return RunServe(*f); }; });

  CLI::App* tok = app.add_subcommand("token", "API tokens for needle serve");
  tok->require_subcommand(1);
  CLI::App* create = tok->add_subcommand("create", "Create a token (printed once)");
  create->add_option("--role", f->role, "submitter, curator, reviewer or admin")
      ->required()->check(CLI::IsMember(std::vector<std::string>(store::kTokenRoles.begin(), store::kTokenRoles.end())));
  create->add_option("--label", f->label, "Who or what the token is for");
  create->add_option("--store", f->store, "Bank store");
  create->callback([f, action] { *action = [f] { return RunTokenCreate(*f); }; });
  return [action] { return *action ? (*action)() : kExitUsage; };
}

}  // namespace needle::cli
