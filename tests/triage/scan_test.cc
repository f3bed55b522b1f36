// needle scan end to end: classes, dedup, clusters, resumption after a real
// kill -9 at several points, audit tamper detection, reports.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "media/encode_helpers.h"
#include "test_support.h"

namespace needle::triage {
namespace {

using namespace ::needle::testing;
using json = nlohmann::json;


std::map<std::string, json> BySha(const std::vector<json>& lines) {
  std::map<std::string, json> m;
  for (auto& l : lines) m[l["sha256"]] = l;
  return m;
}

// A store with a bank holding the PDQ of the bridge photo.
std::string SeedStore(const TempDir& t) {
  const std::string st = t.File("store");
  RunNeedle({"bank", "create", "SEED", "--store", st});
  auto h = JsonLines(RunNeedle({"hash", "--format", "jsonl", SourceDir() + "/samples/bridge.jpg"}).out).at(0);
  std::string s = "pdq " + h["pdq"].get<std::string>() + "\n";
  WriteFile(t.File("seed.txt"), std::vector<uint8_t>(s.begin(), s.end()));
  RunNeedle({"bank", "import", "SEED", t.File("seed.txt"), "--store", st});
  return st;
}

TEST(ScanTest, SamplesGiveExpectedClassesDedupAndClusters) {
  TempDir t;
  const std::string st = SeedStore(t);
  auto r = RunNeedle({"scan", SourceDir() + "/samples", "--case", t.File("case"), "--store", st, "--quiet"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the corrupt sample and the README are unreadable
  auto items = BySha(JsonLines(RunNeedle({"report", "--case", t.File("case"), "--format", "jsonl"}).out));
  EXPECT_EQ(items.size(), 12u);  // 13 files, one byte-identical copy
  std::map<std::string, std::string> by_name;
  for (auto& [sha, j] : items)
    for (auto& p : j["paths"]) {
      std::string path = p;
      by_name[path.substr(path.rfind('/') + 1)] = j["class"];
    }
  EXPECT_EQ(by_name["bridge.jpg"], "known");
  EXPECT_EQ(by_name["bridge-square-256.jpg"], "known");  // near-duplicate: known-derived or matched
  EXPECT_EQ(by_name["bridge-small.webp"], "known");
  EXPECT_EQ(by_name["camera-olympus-e420.jpg"], "camera-likely");
  EXPECT_EQ(by_name["corrupt-truncated.jpg"], "unreadable");
  EXPECT_EQ(by_name["camera-sony-mavica.jpg"], by_name["street-sign-copy.jpg"]);
  // The pixel detector ran on every decodable file and its score is a reason.
  for (auto& [sha, j] : items) {
    if (j["class"] == "unreadable") continue;
    EXPECT_TRUE(j["detector_score"].is_number()) << j["paths"];
    EXPECT_EQ(j["detector"]["model"], "needle-detector-v1");
  }
  // The copy collapsed into one item with both paths.
  bool two_paths = false;
  for (auto& [sha, j] : items) two_paths |= j["paths"].size() == 2;
  EXPECT_TRUE(two_paths);
  // Priority order: camera-likely first, known last.
  auto ordered = JsonLines(RunNeedle({"report", "--case", t.File("case"), "--format", "jsonl"}).out);
  EXPECT_EQ(ordered.front()["class"], "camera-likely");
  EXPECT_EQ(ordered.back()["class"], "known");
}

TEST(ScanTest, DihedralFindsACopyTurnedOnItsSide) {
  TempDir t;
  const std::string st = SeedStore(t);
  ::mkdir(t.File("evidence").c_str(), 0755);
  WriteFile(t.File("evidence/turned.png"),
            EncodePng(Rotated90(DecodePixels(ReadFile(SourceDir() + "/samples/bridge.jpg")))));
  auto scan_class = [&](const std::string& c, bool dihedral) {
    std::vector<std::string> args = {"scan", t.File("evidence"), "--case", t.File(c), "--store", st, "--quiet",
                                     "--no-detector"};
    if (dihedral) args.push_back("--dihedral");
    auto r = RunNeedle(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return JsonLines(RunNeedle({"report", "--case", t.File(c), "--format", "jsonl"}).out).at(0);
  };
  EXPECT_NE(scan_class("plain", false)["class"], "known");
  auto item = scan_class("turned", true);
  EXPECT_EQ(item["class"], "known") << item.dump();
  bool named = false;  // turned back (270 degrees counter-clockwise) it is the banked photo
  for (const auto& r : item["reasons"]) named |= r.get<std::string>().find("copy: rot270") != std::string::npos;
  EXPECT_TRUE(named) << item["reasons"].dump();
}

TEST(ScanTest, RerunOverAnUnchangedTreeDoesNoWork) {
  TempDir t;
  RunNeedle({"scan", SourceDir() + "/samples", "--case", t.File("case"), "--store", t.File("none")});
  auto again = RunNeedle({"scan", SourceDir() + "/samples", "--case", t.File("case"), "--store", t.File("none")});
  EXPECT_NE(again.err.find("0 processed"), std::string::npos) << again.err;
}

// A pixel budget smaller than any image serialises the decodes (each one is
// granted alone) and must not change a single result.
TEST(ScanTest, TinyPixelBudgetGivesTheSameReport) {
  TempDir t;
  auto wide = RunNeedle({"scan", SourceDir() + "/samples", "--case", t.File("a"), "--store", t.File("none"),
                         "--threads", "4", "--quiet"});
  auto tight = RunNeedle({"scan", SourceDir() + "/samples", "--case", t.File("b"), "--store", t.File("none"),
                          "--threads", "4", "--max-pixels-in-flight", "1", "--quiet"});
  EXPECT_EQ(wide.exit_code, tight.exit_code) << tight.err;
  auto a = BySha(JsonLines(RunNeedle({"report", "--case", t.File("a"), "--format", "jsonl"}).out));
  auto b = BySha(JsonLines(RunNeedle({"report", "--case", t.File("b"), "--format", "jsonl"}).out));
  ASSERT_EQ(a.size(), 12u);
  ASSERT_EQ(a.size(), b.size());
  for (auto& [sha, j] : a) {
    ASSERT_TRUE(b.count(sha)) << sha;
    EXPECT_EQ(j["class"], b[sha]["class"]) << sha;
    EXPECT_EQ(j.value("pdq", json()), b[sha].value("pdq", json())) << sha;
  }
}

// Many small distinct files so that a kill lands mid-scan.
void MakeTree(const std::string& dir, int n) {
  mkdir(dir.c_str(), 0755);
  for (int i = 0; i < n; ++i) {
    Pixels p = Pattern(96, 80, 3, 1000 + i);
    WriteFile(dir + "/img" + std::to_string(1000 + i) + (i % 2 ? ".png" : ".jpg"),
              i % 2 ? EncodePng(p) : EncodeJpeg(p, 85));
  }
}

pid_t Spawn(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    std::string bin = BinaryPath();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

TEST(ScanTest, ResumesAfterKillNineWithNothingLostOrDoubled) {
  TempDir t;
  MakeTree(t.File("ev"), 400);
  auto ref = RunNeedle({"scan", t.File("ev"), "--case", t.File("ref"), "--store", t.File("none"), "--threads", "2"});
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  auto want = JsonLines(RunNeedle({"report", "--case", t.File("ref"), "--format", "jsonl"}).out);
  ASSERT_EQ(want.size(), 400u);
  for (int delay_ms : {30, 120, 300, 600}) {
    const std::string c = t.File("case" + std::to_string(delay_ms));
    pid_t pid = Spawn({"scan", t.File("ev"), "--case", c, "--store", t.File("none"), "--threads", "2", "--quiet"});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    auto resumed = RunNeedle({"scan", t.File("ev"), "--case", c, "--store", t.File("none"), "--threads", "2"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    auto got = JsonLines(RunNeedle({"report", "--case", c, "--format", "jsonl"}).out);
    ASSERT_EQ(got.size(), want.size()) << "killed after " << delay_ms << " ms";
    EXPECT_EQ(BySha(got), BySha(want)) << "killed after " << delay_ms << " ms";
    EXPECT_EQ(RunNeedle({"audit", "verify", "--case", c}).exit_code, 0);
  }
}

TEST(ScanTest, AuditTamperingIsDetected) {
  TempDir t;
  RunNeedle({"scan", SourceDir() + "/samples", "--case", t.File("case"), "--store", t.File("none")});
  auto ok = RunNeedle({"audit", "verify", "--case", t.File("case")});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((t.File("case") + "/case.db").c_str(), &db), SQLITE_OK);
  // The log refuses edits...
  EXPECT_NE(sqlite3_exec(db, "UPDATE audit SET details = '{}' WHERE seq = 1", nullptr, nullptr, nullptr), SQLITE_OK);
  // ...and a tamperer who removes the guard is still caught by the chain.
  ASSERT_EQ(sqlite3_exec(db, "DROP TRIGGER audit_no_update; UPDATE audit SET details = '{\"roots\":[\"elsewhere\"]}' "
                             "WHERE seq = 1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto bad = RunNeedle({"audit", "verify", "--case", t.File("case")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("entry 1"), std::string::npos) << bad.out;
}

TEST(ScanTest, HtmlReportIsOfflineAndBlurredByDefault) {
  TempDir t;
  RunNeedle({"scan", SourceDir() + "/samples", "--case", t.File("case"), "--store", t.File("none")});
  auto html = RunNeedle({"report", "--case", t.File("case"), "--format", "html"}).out;
  ASSERT_NE(html.find("<!DOCTYPE html>"), std::string::npos);
  ASSERT_NE(html.find("</html>"), std::string::npos);
  std::regex external(R"re((src|href)\s*=\s*["']\s*(https?:)?//)re", std::regex::icase);
  EXPECT_FALSE(std::regex_search(html, external));
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("class=\"thumb\""), std::string::npos);
  EXPECT_NE(html.find("blur("), std::string::npos);
  EXPECT_NE(html.find("grayscale(1)"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"heat\""), std::string::npos) << "the detector's tile heat map";
  EXPECT_NE(html.find("<b>pixel detector</b>"), std::string::npos);
  auto bare = RunNeedle({"report", "--case", t.File("case"), "--format", "html", "--no-thumbnails"}).out;
  EXPECT_EQ(bare.find("<img"), std::string::npos);
}

TEST(ScanTest, VicsExportUsesOnlyDocumentedFields) {
  TempDir t;
  const std::string st = SeedStore(t);
  RunNeedle({"scan", SourceDir() + "/samples", "--case", t.File("case"), "--store", st});
  auto vics = json::parse(RunNeedle({"report", "--case", t.File("case"), "--format", "vics"}).out);
  EXPECT_NE(vics["@odata.context"].get<std::string>().find("DataModels/2.0.xml"), std::string::npos);
  // Media fields listed in ../shared/docs/hash-list-formats.md §9.
  const std::set<std::string> documented = {"MediaID", "Category", "MD5", "SHA1", "MediaSize", "DateUpdated",
                                            "IsPrecategorized", "PrecategorizationSource", "IsSuspected",
                                            "VictimIdentified", "OffenderIdentified", "IsDistributed",
                                            "SelfGenerated", "Series", "Tags", "Comments", "RelativeFilePath",
                                            "MimeType", "PhotoDNA", "MediaFiles", "Exifs"};
  ASSERT_GE(vics["value"].size(), 10u);
  bool clustered = false;
  for (auto& m : vics["value"]) {
    for (auto& [k, v] : m.items()) EXPECT_TRUE(documented.count(k)) << k;
    EXPECT_EQ(m["MD5"].get<std::string>().size(), 32u);
    EXPECT_EQ(m["MD5"], [&] { std::string s = m["MD5"]; for (auto& c : s) c = std::toupper(c); return s; }());
    clustered |= m.contains("Series");
  }
  EXPECT_TRUE(clustered);
  // And needle's own VICS importer reads it back.
  WriteFile(t.File("case.vics.json"), [&] { std::string s = vics.dump(); return std::vector<uint8_t>(s.begin(), s.end()); }());
  RunNeedle({"bank", "create", "BACK", "--store", st});
  EXPECT_EQ(RunNeedle({"bank", "import", "BACK", t.File("case.vics.json"), "--store", st}).exit_code, 0);
}

}  // namespace
}  // namespace needle::triage
