#include "test_support.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace needle::testing {

std::string DataDir() { return NEEDLE_TEST_DATA; }
std::string BinaryPath() { return NEEDLE_BINARY; }
std::string SourceDir() { return NEEDLE_SOURCE_DIR; }

std::optional<std::string> SharedDir() {
  std::string p = NEEDLE_SHARED_DIR;
  struct stat st {};
  if (::stat((p + "/vectors").c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return p;
  return std::nullopt;
}

bool SharedRequired() {
  const char* v = std::getenv("NEEDLE_REQUIRE_SHARED");
  return v != nullptr && *v != 0 && std::string(v) != "0";
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::map<std::string, std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  auto split = [](const std::string& s) {
    std::vector<std::string> v;
    std::stringstream ss(s);
    std::string f;
    while (std::getline(ss, f, ',')) v.push_back(f);
    if (!s.empty() && s.back() == ',') v.emplace_back();
    return v;
  };
  auto chomp = [](std::string& s) {
    if (!s.empty() && s.back() == '\r') s.pop_back();
  };
  if (!std::getline(in, line)) return rows;
  chomp(line);
  header = split(line);
  while (std::getline(in, line)) {
    chomp(line);
    if (line.empty()) continue;
    auto f = split(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < f.size(); ++i) row[header[i]] = f[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> v;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) v.push_back(nlohmann::json::parse(line));
  return v;
}

namespace {
std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

CommandResult RunNeedle(const std::vector<std::string>& args) {
  TempDir t;
  std::string cmd = Quote(BinaryPath());
  for (const auto& a : args) cmd += " " + Quote(a);
  cmd += " >" + Quote(t.File("out")) + " 2>" + Quote(t.File("err")) + " </dev/null";
  int st = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = Slurp(t.File("out"));
  r.err = Slurp(t.File("err"));
  return r;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "needle-test-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back(0);
  path_ = ::mkdtemp(buf.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  // Restore permissions a test may have removed, then delete.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

}  // namespace needle::testing
