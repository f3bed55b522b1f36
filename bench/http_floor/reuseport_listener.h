// A listening socket on 127.0.0.1:port with SO_REUSEPORT, so each server
// thread can own one and the kernel spreads connections between them.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstdlib>

inline int ReuseportListener(int port, int type_flags = 0) {
  const int one = 1, fd = socket(AF_INET, SOCK_STREAM | type_flags, 0);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 1024) != 0) std::abort();
  return fd;
}
