// Helpers shared by the tests: data locations, file reading, CSV, running the
// needle binary.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace needle::testing {

std::string DataDir();                     // tests/data
std::optional<std::string> SharedDir();    // ../shared when present
std::string BinaryPath();                  // build/needle
std::string SourceDir();

// True when NEEDLE_REQUIRE_SHARED is set (CI): a missing ../shared fails.
bool SharedRequired();

std::vector<uint8_t> ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes);

// One JSON value per non-empty line (throws, failing the test, on bad JSON).
std::vector<nlohmann::json> JsonLines(const std::string& text);

// Simple CSV with a header and no quoted fields.
std::vector<std::map<std::string, std::string>> ReadCsv(const std::string& path);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs `needle ARGS...` (arguments are shell-quoted here).
CommandResult RunNeedle(const std::vector<std::string>& args);

// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace needle::testing

// Skips (or fails under NEEDLE_REQUIRE_SHARED) when ../shared is missing.
#define NEEDLE_REQUIRE_SHARED_OR_SKIP(var)                                              \
  auto var##_opt = ::needle::testing::SharedDir();                                      \
  if (!var##_opt) {                                                                     \
    if (::needle::testing::SharedRequired()) FAIL() << "../shared is required in CI";    \
    GTEST_SKIP() << "../shared is absent: skipping a test that needs the shared vectors"; \
  }                                                                                     \
  const std::string var = *var##_opt
