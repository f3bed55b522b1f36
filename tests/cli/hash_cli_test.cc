// The `needle hash` contract: JSON Lines fields, exit codes, formats.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "media/encode_helpers.h"
#include "test_support.h"

namespace needle::cli {
namespace {

using namespace ::needle::testing;
using json = nlohmann::json;


TEST(HashCliTest, JsonlFieldsForAGoodFile) {
  auto r = RunNeedle({"hash", "--format", "jsonl", DataDir() + "/pdq/images/bridge-mods/aaa-orig.jpg"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  const json& j = lines[0];
  for (const char* k : {"path", "size", "md5", "sha1", "sha256", "format", "width", "height", "orientation", "pdq",
                        "pdq_quality"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["pdq"], "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22");
  EXPECT_EQ(j["pdq_quality"], 100);
  EXPECT_EQ(j["format"], "jpeg");
  EXPECT_EQ(j["width"], 1600);
  EXPECT_EQ(j["md5"].get<std::string>().size(), 32u);
  EXPECT_EQ(j["sha1"].get<std::string>().size(), 40u);
  EXPECT_FALSE(j.contains("error"));
}

TEST(HashCliTest, SamplesFolderReportsTheCorruptFileAndExitsOne) {
  auto r = RunNeedle({"hash", "--format", "jsonl", SourceDir() + "/samples"});
  EXPECT_EQ(r.exit_code, 1);
  auto lines = JsonLines(r.out);
  EXPECT_GE(lines.size(), 12u);
  std::map<std::string, std::string> errors;  // file name -> error code
  for (auto& j : lines) {
    if (!j.contains("error")) {
      EXPECT_EQ(j["pdq"].get<std::string>().size(), 64u);
      continue;
    }
    std::string path = j["path"];
    errors[path.substr(path.rfind('/') + 1)] = j["error"];
    EXPECT_TRUE(j.contains("sha256"));
    EXPECT_TRUE(j.contains("message"));
  }
  std::map<std::string, std::string> want = {{"corrupt-truncated.jpg", "truncated"},
                                             {"README.md", "unsupported_format"}};
  EXPECT_EQ(errors, want);
  // Byte-identical copies give identical digests.
  std::map<std::string, int> by_sha;
  for (auto& j : lines) by_sha[j["sha256"]]++;
  bool dup = false;
  for (auto& [k, n] : by_sha) dup |= n == 2;
  EXPECT_TRUE(dup);
}

TEST(HashCliTest, ExitCodes) {
  EXPECT_EQ(RunNeedle({"hash"}).exit_code, 2);                                  // no paths
  EXPECT_EQ(RunNeedle({"hash", "--pipeline", "bogus", "x"}).exit_code, 2);      // bad flag value
  EXPECT_EQ(RunNeedle({"frobnicate"}).exit_code, 2);                            // unknown command
  EXPECT_EQ(RunNeedle({"--help"}).exit_code, 0);
  TempDir t;
  auto r = RunNeedle({"hash", "--format", "jsonl", t.File("missing.jpg")});
  EXPECT_EQ(r.exit_code, 1);
  auto lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["error"], "not_found");
}

TEST(HashCliTest, HelpTeachesPipelinesAndFastDeviation) {
  auto r = RunNeedle({"hash", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("fullres"), std::string::npos);
  EXPECT_NE(r.out.find("cimg512"), std::string::npos);
  EXPECT_NE(r.out.find("mean"), std::string::npos);  // the measured fast-vs-fullres deviation
  EXPECT_EQ(r.out.find("FAST_DEVIATION_FIGURES"), std::string::npos);
}

TEST(HashCliTest, DihedralAndTextFormats) {
  std::string f = DataDir() + "/pdq/images/misc-images/c.png";
  auto r = RunNeedle({"hash", "--format", "jsonl", "--dihedral", f});
  ASSERT_EQ(r.exit_code, 0);
  auto j = JsonLines(r.out).at(0);
  ASSERT_TRUE(j.contains("pdq_dihedral"));
  for (const char* k : {"rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1", "flipminus1"})
    EXPECT_EQ(j["pdq_dihedral"][k].get<std::string>().size(), 64u) << k;
  auto t = RunNeedle({"hash", "--format", "text", f});
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_NE(t.out.find(j["pdq"].get<std::string>()), std::string::npos);
}

TEST(HashCliTest, ThreadCountDoesNotChangeOutput) {
  std::string dir = DataDir() + "/pdq/images";
  auto one = RunNeedle({"hash", "--format", "jsonl", "--threads", "1", dir});
  auto four = RunNeedle({"hash", "--format", "jsonl", "--threads", "4", dir});
  EXPECT_EQ(one.exit_code, 0);
  EXPECT_EQ(one.out, four.out);
}

TEST(HashCliTest, MaxPixelsFlag) {
  auto r = RunNeedle({"hash", "--format", "jsonl", "--max-pixels", "1000",
                      DataDir() + "/pdq/images/bridge-mods/aaa-orig.jpg"});
  EXPECT_EQ(r.exit_code, 1);
  auto j = JsonLines(r.out).at(0);
  EXPECT_EQ(j["error"], "too_large");
  EXPECT_TRUE(j.contains("sha256"));
}

TEST(HashCliTest, SymlinksInsideFoldersAreSkippedVisibly) {
  TempDir t;
  WriteFile(t.File("a.png"), EncodePng(Pattern(20, 20, 3)));
  ASSERT_EQ(symlink(t.File("a.png").c_str(), t.File("b.png").c_str()), 0);
  auto r = RunNeedle({"hash", "--format", "jsonl", t.path()});
  EXPECT_EQ(r.exit_code, 0);
  auto lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[1].contains("skipped"));
}

}  // namespace
}  // namespace needle::cli
