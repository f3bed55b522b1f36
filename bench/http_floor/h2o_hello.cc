// H2O (libh2o-evloop) answering every request with "I-AM-ALIVE": two
// threads, each with its own event loop and SO_REUSEPORT listener on
// 127.0.0.1. Usage: h2o_hello PORT
#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstdlib>
#include <thread>

#include "reuseport_listener.h"

namespace {

h2o_globalconf_t config;

int Hello(h2o_handler_t*, h2o_req_t* req) {
  req->res.status = 200;
  req->res.reason = "OK";
  h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, nullptr, H2O_STRLIT("text/plain"));
  h2o_send_inline(req, H2O_STRLIT("I-AM-ALIVE"));
  return 0;
}

struct Worker {
  h2o_context_t ctx;
  h2o_accept_ctx_t accept;
};

void OnAccept(h2o_socket_t* listener, const char* err) {
  if (err) return;
  if (h2o_socket_t* sock = h2o_evloop_socket_accept(listener)) h2o_accept(static_cast<h2o_accept_ctx_t*>(listener->data), sock);
}

void Run(int port) {
  auto* w = new Worker{};  // lives as long as the process
  h2o_context_init(&w->ctx, h2o_evloop_create(), &config);
  w->accept.ctx = &w->ctx;
  w->accept.hosts = config.hosts;
  const int fd = ReuseportListener(port);
  h2o_socket_t* sock = h2o_evloop_socket_create(w->ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
  sock->data = &w->accept;
  h2o_socket_read_start(sock, OnAccept);
  while (h2o_evloop_run(w->ctx.loop, INT32_MAX) == 0) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  signal(SIGPIPE, SIG_IGN);
  h2o_config_init(&config);
  h2o_hostconf_t* host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
  h2o_create_handler(h2o_config_register_path(host, "/", 0), sizeof(h2o_handler_t))->on_req = Hello;
  const int port = std::atoi(argv[1]);
  std::thread other(Run, port);
  Run(port);
}
