// The fixture of the needle serve tests: a bank store with a 1,350-hash bank
// (HAY), an empty one (LIVE) and a token per role; Start() runs the server
// on a free loopback port in a thread, TearDown() stops it.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "banks/importer.h"
#include "serve/server.h"
#include "store/bank_store.h"
#include "test_support.h"

namespace needle::serve {

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::BankStore::Open(dir_.File("store"), true);
    ASSERT_TRUE(s.ok());
    store::BankConfig hay;
    hay.name = "HAY";
    ASSERT_TRUE((*s)->CreateBank(hay).ok());
    ASSERT_TRUE(banks::ImportFile(**s, "HAY", ::needle::testing::DataDir() + "/pdq/hash-lists/haystack.txt", banks::ListFormat::kAuto).ok());
    store::BankConfig live;
    live.name = "LIVE";
    ASSERT_TRUE((*s)->CreateBank(live).ok());
    admin_ = *(*s)->CreateToken("admin", "test");
    submitter_ = *(*s)->CreateToken("submitter", "test");
    reviewer_ = *(*s)->CreateToken("reviewer", "test");
  }
  static ServeOptions FourWorkers() {
    ServeOptions o;
    o.threads = 4;
    return o;
  }
  void Start(ServeOptions o = FourWorkers()) {
    o.store_dir = dir_.File("store");
    o.port = 0;
    o.web_root = ::needle::testing::SourceDir() + "/web";
    std::atomic<int> port{0};
    o.on_listening = [&](int p) { port = p; };
    server_ = std::thread([this, o] { status_ = RunServer(o, &stop_); });
    for (int i = 0; i < 500 && port == 0 && status_.ok(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_NE(port.load(), 0) << status_.ToString();
    port_ = port;
  }
  void TearDown() override {
    stop_ = true;
    if (server_.joinable()) server_.join();
  }
  httplib::Client Client(const std::string& token) {
    httplib::Client c("127.0.0.1", port_);
    if (!token.empty()) c.set_default_headers({{"Authorization", "Bearer " + token}});
    c.set_read_timeout(10, 0);
    return c;
  }
  ::needle::testing::TempDir dir_;
  std::string admin_, submitter_, reviewer_;
  std::thread server_;
  std::atomic<bool> stop_{false};
  Status status_;
  int port_ = 0;
};

// A loopback connection to `port` whose reads give up after 2 s (-1 when it fails).
inline int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

inline std::string FirstHay() {
  std::ifstream in(::needle::testing::DataDir() + "/pdq/hash-lists/haystack.txt");
  std::string h;
  std::getline(in, h);
  return h.substr(h.find_last_of(' ') == std::string::npos ? 0 : h.find_last_of(' ') + 1);
}

}  // namespace needle::serve
