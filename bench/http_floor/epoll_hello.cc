// No HTTP library: two threads, each an epoll loop with its own SO_REUSEPORT
// listener, answering every complete request head in a read with a fixed
// response. Not an HTTP server (no parsing, no limits); it measures what the
// kernel and wrk cost per request on this machine. Usage: epoll_hello PORT
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "reuseport_listener.h"

namespace {

constexpr char kResponse[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nI-AM-ALIVE";

void Run(int port) {
  const int one = 1, listener = ReuseportListener(port, SOCK_NONBLOCK);
  const int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  epoll_event ready[64];
  char buf[8192];
  for (;;) {
    const int n = epoll_wait(ep, ready, 64, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = ready[i].data.fd;
      if (fd == listener) {
        for (int c; (c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event e{};
          e.events = EPOLLIN;
          e.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
        }
        continue;
      }
      const ssize_t r = read(fd, buf, sizeof buf);
      if (r <= 0) {
        close(fd);
        continue;
      }
      for (ssize_t k = 3; k < r; ++k)
        if (std::memcmp(buf + k - 3, "\r\n\r\n", 4) == 0 && write(fd, kResponse, sizeof kResponse - 1) < 0) break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const int port = std::atoi(argv[1]);
  std::thread other(Run, port);
  Run(port);
}
