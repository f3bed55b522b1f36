// needle serve's connection loop (serve/lean_server.h) over raw sockets:
// buffered reads must keep bytes that belong to the next request, pending
// output must leave before the server waits for more input, and requests
// split or packed any way must be answered the same.
#include <gtest/gtest.h>
#include <netinet/tcp.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hash/digest.h"
#include "serve/serve_fixture.h"

namespace needle::serve {
namespace {

using json = nlohmann::json;

struct Answer {
  int status = 0;
  std::string head, body;
};

// Everything the server sends until it closes (or 2 s pass without a byte).
std::string ReadAll(int fd) {
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) all.append(buf, size_t(n));
  return all;
}

// Splits a byte stream into responses framed by Content-Length.
std::vector<Answer> Responses(const std::string& all) {
  std::vector<Answer> out;
  size_t at = 0;
  while (at < all.size()) {
    const size_t end = all.find("\r\n\r\n", at);
    if (end == std::string::npos) break;
    Answer a;
    a.head = all.substr(at, end + 4 - at);
    a.status = std::atoi(a.head.c_str() + 9);
    size_t len = 0;
    const size_t cl = a.head.find("Content-Length: ");
    if (cl != std::string::npos) len = std::stoul(a.head.substr(cl + 16));
    a.body = all.substr(end + 4, len);
    at = end + 4 + len;
    out.push_back(a);
  }
  return out;
}

bool WriteAll(int fd, const std::string& s) { return write(fd, s.data(), s.size()) == ssize_t(s.size()); }

std::string Lookup(const std::string& hash, const std::string& token, bool close) {
  return "GET /m/lookup?bypass_coinflip=true&signal_type=pdq&signal=" + hash + " HTTP/1.1\r\nHost: x\r\n" +
         "Authorization: Bearer " + token + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
}

// Three requests in one write: the first read takes in all of them, and the
// two behind the first must still be answered, in order.
TEST_F(ServeTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  const std::string miss(64, '0');
  ASSERT_TRUE(WriteAll(fd, Lookup(FirstHay(), submitter_, false) + Lookup(miss, submitter_, false) +
                               Lookup(FirstHay(), "not-a-token", true)));
  const auto answers = Responses(ReadAll(fd));
  close(fd);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_TRUE(json::parse(answers[0].body).contains("HAY")) << answers[0].body;
  EXPECT_EQ(answers[1].status, 200);
  EXPECT_FALSE(json::parse(answers[1].body).contains("HAY")) << answers[1].body;
  EXPECT_EQ(answers[2].status, 401);
}

// A request written a byte at a time is the same request.
TEST_F(ServeTest, RequestSplitIntoBytesIsAnswered) {
  Start();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const std::string req = Lookup(FirstHay(), submitter_, true);
  for (char c : req) ASSERT_EQ(write(fd, &c, 1), 1);
  const auto answers = Responses(ReadAll(fd));
  close(fd);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, 200);
  EXPECT_TRUE(json::parse(answers[0].body).contains("HAY"));
}

// "Expect: 100-continue": the client sends its body only after the interim
// answer, so that answer must leave before the server waits for the body.
// Then a 1 MiB body (read past the connection's buffer) arrives whole: its
// MD5 is the one computed here.
TEST_F(ServeTest, ContinueIsSentBeforeTheBodyIsAwaitedAndLargeBodiesArriveWhole) {
  Start();
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 2654435761u) >> 13);
  const std::string boundary = "needle-test-boundary";
  const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"video\"; filename=\"v.mp4\"\r\n" +
                           "Content-Type: application/octet-stream\r\n\r\n" + data + "\r\n--" + boundary + "--\r\n";
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(WriteAll(fd, "POST /h/hash HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + submitter_ +
                               "\r\nContent-Type: multipart/form-data; boundary=" + boundary +
                               "\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"));
  char buf[256];
  const ssize_t n = read(fd, buf, sizeof buf);  // gives up after 2 s (Connect)
  ASSERT_GT(n, 0) << "no interim answer: the server waited for the body first";
  EXPECT_EQ(std::string(buf, size_t(n)).rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << std::string(buf, size_t(n));
  ASSERT_TRUE(WriteAll(fd, body));
  const auto answers = Responses(ReadAll(fd));
  close(fd);
  ASSERT_EQ(answers.size(), 1u);
  ASSERT_EQ(answers[0].status, 200) << answers[0].body;
  const auto d = hash::DigestBytes(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  EXPECT_EQ(json::parse(answers[0].body).value("video_md5", ""), d.md5);
}

}  // namespace
}  // namespace needle::serve
