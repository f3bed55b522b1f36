#include "serve/lean_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

namespace needle::serve {
namespace {

using Clock = std::chrono::steady_clock;

int MillisLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(std::min<long long>(left, 1 << 30)) : 0;
}

// Waits up to `ms` for `events` on `sock`: > 0 ready, 0 timed out, < 0 error.
int PollFor(int sock, short events, int ms) {
  pollfd p{sock, events, 0};
  for (;;) {
    const int r = ::poll(&p, 1, ms);
    if (r >= 0 || errno != EINTR) return r;
  }
}

std::string NumericHost(const sockaddr_storage& a, socklen_t len, int* port) {
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&a), len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return {};
  *port = std::atoi(serv);
  return host;
}

// A connection's stream: reads through a buffer, polling only when nothing
// is waiting; writes collect until Flush() (or 64 KiB), so a response leaves
// in one send. Pending output is flushed before any read that would wait, so
// a "100 Continue" reaches the client before its body is awaited.
class BufferedSocketStream final : public httplib::Stream {
 public:
  BufferedSocketStream(int sock, int read_timeout_ms, int write_timeout_ms)
      : sock_(sock), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

  bool is_readable() const override { return in_pos_ < in_len_ || PollFor(sock_, POLLIN, read_timeout_ms_) > 0; }
  bool is_writable() const override { return !write_failed_; }

  ssize_t read(char* ptr, size_t size) override {
    if (in_pos_ == in_len_) {
      if (!Flush()) return -1;
      const auto deadline = Clock::now() + std::chrono::milliseconds(read_timeout_ms_);
      // Large reads (request bodies) go straight to the caller's buffer.
      if (size >= sizeof in_) return Receive(ptr, size, deadline, nullptr);
      const ssize_t n = Fill(deadline, nullptr);
      if (n <= 0) return n;
    }
    const size_t k = std::min(size, in_len_ - in_pos_);
    std::memcpy(ptr, in_ + in_pos_, k);
    in_pos_ += k;
    return ssize_t(k);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (write_failed_) return -1;
    out_.append(ptr, size);
    if (out_.size() >= kFlushAt && !Flush()) return -1;
    return ssize_t(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Addresses();
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Addresses();
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return sock_; }

  // Sends everything written so far; false if the peer is gone or the write
  // timeout passed.
  bool Flush() {
    size_t off = 0;
    while (!write_failed_ && off < out_.size()) {
      const ssize_t n = ::send(sock_, out_.data() + off, out_.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        off += size_t(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (PollFor(sock_, POLLOUT, write_timeout_ms_) <= 0) write_failed_ = true;
      } else {
        write_failed_ = true;
      }
    }
    out_.clear();
    return !write_failed_;
  }

  // Waits for the first bytes of the next request on a kept-alive
  // connection: false on close, error, `timeout_ms` idle, or once the server
  // stops listening (checked every 50 ms).
  bool WaitForRequest(int timeout_ms, const std::atomic<socket_t>& listening) {
    return in_pos_ < in_len_ || Fill(Clock::now() + std::chrono::milliseconds(timeout_ms), &listening) > 0;
  }

 private:
  static constexpr size_t kFlushAt = 64 << 10;

  // One recv of up to `size` bytes, polling until `deadline` if none wait
  // (in 50 ms steps that give up once `listening` is closed, if given):
  // > 0 bytes read, 0 the peer closed, -1 error, timeout or stop.
  ssize_t Receive(char* dst, size_t size, Clock::time_point deadline, const std::atomic<socket_t>* listening) {
    for (;;) {
      const ssize_t n = ::recv(sock_, dst, size, MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      const int left = MillisLeft(deadline);
      if (left == 0 || (listening && *listening == INVALID_SOCKET)) return -1;
      const int r = PollFor(sock_, POLLIN, listening ? std::min(left, 50) : left);
      if (r < 0 || (r == 0 && !listening)) return -1;
    }
  }

  // Receive into the (empty) read buffer.
  ssize_t Fill(Clock::time_point deadline, const std::atomic<socket_t>* listening) {
    const ssize_t n = Receive(in_, sizeof in_, deadline, listening);
    in_pos_ = 0;
    in_len_ = n > 0 ? size_t(n) : 0;
    return n;
  }

  void Addresses() const {
    if (have_addresses_) return;
    have_addresses_ = true;
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&a), &len) == 0) remote_ip_ = NumericHost(a, len, &remote_port_);
    len = sizeof a;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&a), &len) == 0) local_ip_ = NumericHost(a, len, &local_port_);
  }

  int sock_;
  int read_timeout_ms_, write_timeout_ms_;
  char in_[16 << 10];
  size_t in_pos_ = 0, in_len_ = 0;
  std::string out_;
  bool write_failed_ = false;
  mutable bool have_addresses_ = false;
  mutable std::string remote_ip_, local_ip_;
  mutable int remote_port_ = 0, local_port_ = 0;
};

int Millis(time_t sec, time_t usec) { return static_cast<int>(std::min<long long>(sec * 1000LL + usec / 1000, 1 << 30)); }

}  // namespace

bool LeanServer::process_and_close_socket(socket_t sock) {
  BufferedSocketStream strm(sock, Millis(read_timeout_sec_, read_timeout_usec_),
                            Millis(write_timeout_sec_, write_timeout_usec_));
  bool ret = false;
  // As the library's loop: at most keep_alive_max_count_ requests, the last
  // one answered with "Connection: close"; stop when the server does.
  for (size_t left = keep_alive_max_count_;
       left > 0 && svr_sock_ != INVALID_SOCKET && strm.WaitForRequest(Millis(keep_alive_timeout_sec_, 0), svr_sock_);
       --left) {
    bool closed = false;
    ret = process_request(strm, left == 1, closed, nullptr);
    if (!strm.Flush()) ret = false;  // the response, errors included, leaves before any close
    if (!ret || closed) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace needle::serve
