// cpp-httplib answering GET /status/live, configured as needle serve is
// (src/serve/server.cc): a thread per connection (64), keep-alive 1,000
// requests, TCP_NODELAY. (needle serve also limits the requests worked on at
// once to --threads; this route does no work.)
// Usage: httplib_hello PORT
#include <httplib.h>

#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  httplib::Server s;
  s.new_task_queue = [] { return new httplib::ThreadPool(64); };
  s.set_keep_alive_max_count(1000);
  s.set_tcp_nodelay(true);
  s.Get("/status/live", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("I-AM-ALIVE", "text/plain");
  });
  return s.listen("127.0.0.1", std::atoi(argv[1])) ? 0 : 1;
}
