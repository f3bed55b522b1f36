// needle serve: the HMA-compatible matching service and needle's native API
// over HTTP (cpp-httplib): a thread per connection, a fixed number of
// requests worked on at once, and limits on body size, header size, time and
// connections. Every endpoint needs a token.
// Uploaded content is processed in memory and never written to disk; no
// endpoint fetches URLs.
#pragma once

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "needle/status.h"

namespace needle::serve {

struct ServeOptions {
  std::string store_dir;
  std::string case_dir;           // optional: enables the review queue
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 2;                // requests worked on at once (the CPU work)
  size_t max_body_bytes = 64u << 20;
  // Copy the index snapshot into memory on huge pages (faster lookups; needs
  // RAM for the whole index) rather than serving from the file's mapping.
  bool resident_index = true;
  // needle's connection loop (serve/lean_server.h: one send a response, no
  // poll while data waits) rather than cpp-httplib's; plain HTTP only.
  bool lean_connections = true;
  int read_timeout_s = 10;
  int write_timeout_s = 10;
  // Connections served at once, a thread each (cpp-httplib's model); more
  // wait in the listen backlog until one closes.
  size_t max_connections = 64;
  size_t flood_limit = 1000;      // matches of one entry per window before quarantine (0 = off)
  double flood_window_s = 60;
  std::string tls_cert, tls_key;  // both set: HTTPS
  std::string trust_anchors;      // C2PA anchors for /v1/submit
  // Pixel detector for /v1/submit: model description (empty = bundled);
  // detect false leaves detector_score null.
  std::string detector_model;
  bool detect = true;
  std::string web_root;           // static review UI (default: <source>/web)
  // Review categories: [{"id": "1", "label": "CAT-1 ...", "key": "1"}, ...];
  // default Project VIC US 0-5.
  nlohmann::json categories = DefaultCategories();
  static nlohmann::json DefaultCategories() {
    return nlohmann::json::array({{{"id", "0"}, {"label", "CAT-0 Uncategorized"}, {"key", "0"}},
                                  {{"id", "1"}, {"label", "CAT-1 Child abuse material"}, {"key", "1"}},
                                  {{"id", "2"}, {"label", "CAT-2 Exploitative / age difficult"}, {"key", "2"}},
                                  {{"id", "3"}, {"label", "CAT-3 CGI / animation"}, {"key", "3"}},
                                  {{"id", "4"}, {"label", "CAT-4 Comparison"}, {"key", "4"}},
                                  {{"id", "5"}, {"label", "CAT-5 Non-pertinent"}, {"key", "5"}}});
  }
  // Called once listening (tests, the CLI's "listening on" line).
  std::function<void(int port)> on_listening;
};

// Blocks until `stop` becomes true (polled) or the server fails.
Status RunServer(const ServeOptions& options, const std::atomic<bool>* stop = nullptr);

}  // namespace needle::serve
