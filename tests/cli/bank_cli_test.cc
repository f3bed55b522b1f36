// The bank / lookup / match CLI contract.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "media/encode_helpers.h"
#include "test_support.h"

namespace needle::cli {
namespace {

using namespace ::needle::testing;
using json = nlohmann::json;


TEST(BankCliTest, NeedlesVsHaystackExactly250Pairs) {
  TempDir t;
  const std::string st = t.File("store");
  ASSERT_EQ(RunNeedle({"bank", "create", "hay", "--store", st}).exit_code, 0);
  auto imp = RunNeedle({"bank", "import", "hay", DataDir() + "/pdq/hash-lists/haystack.txt", "--store", st});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_EQ(JsonLines(imp.out).at(0)["inserted"], 1350);
  auto r = RunNeedle({"lookup", "--store", st, "--pdq-file", DataDir() + "/pdq/hash-lists/needles.txt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 100u);
  // haystack value -> indices (the list has duplicate values)
  std::map<std::string, std::vector<int>> pos;
  std::ifstream hay(DataDir() + "/pdq/hash-lists/haystack.txt");
  std::string h;
  for (int i = 0; std::getline(hay, h); ++i) pos[h.substr(h.find_last_of(' ') == std::string::npos ? 0 : h.find_last_of(' ') + 1)].push_back(i);
  std::set<std::pair<int, int>> got, want;
  for (size_t q = 0; q < lines.size(); ++q)
    for (auto& m : lines[q]["matches"])
      for (int i : pos[m["value"].get<std::string>()]) got.insert({static_cast<int>(q), i});
  for (auto& row : ReadCsv(DataDir() + "/pdq/expected/match-needles-vs-haystack-d31.csv"))
    want.insert({std::stoi(row["needle_index"]), std::stoi(row["haystack_index"])});
  EXPECT_EQ(got, want);
}

TEST(BankCliTest, MalformedImportIsRefusedWholeWithLineNumber) {
  TempDir t;
  const std::string st = t.File("store");
  ASSERT_EQ(RunNeedle({"bank", "create", "B", "--store", st}).exit_code, 0);
  auto r = RunNeedle({"bank", "import", "B", DataDir() + "/hashlists/plain-bad.txt", "--store", st});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unchanged"), std::string::npos) << r.err;
  auto list = RunNeedle({"bank", "list", "--format", "jsonl", "--store", st});
  EXPECT_EQ(JsonLines(list.out).at(0)["entries"], 0);
}

TEST(BankCliTest, MatchFilesAgainstABankSeededFromThem) {
  TempDir t;
  const std::string st = t.File("store");
  auto hashes = RunNeedle({"hash", "--format", "jsonl", DataDir() + "/pdq/images/bridge-mods/aaa-orig.jpg"});
  auto rec = JsonLines(hashes.out).at(0);
  WriteFile(t.File("seed.txt"), [&] {
    std::string s = "pdq " + rec["pdq"].get<std::string>() + "\nsha1 " + rec["sha1"].get<std::string>() + "\n";
    return std::vector<uint8_t>(s.begin(), s.end());
  }());
  ASSERT_EQ(RunNeedle({"bank", "create", "SEED", "--store", st}).exit_code, 0);
  ASSERT_EQ(RunNeedle({"bank", "import", "SEED", t.File("seed.txt"), "--store", st}).exit_code, 0);
  auto m = RunNeedle({"match", "--store", st, DataDir() + "/pdq/images/bridge-mods/blur-a-lot.jpg",
                      DataDir() + "/pdq/images/bridge-mods/aaa-orig.jpg", DataDir() + "/pdq/images/misc-images/c.png"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  auto lines = JsonLines(m.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["matches"].size(), 1u);  // the blurred copy: PDQ only
  EXPECT_EQ(lines[1]["matches"].size(), 2u);  // the original: PDQ and SHA-1
  EXPECT_EQ(lines[2]["matches"].size(), 0u);
}

TEST(BankCliTest, MatchFindsATurnedCopyWithDihedral) {
  TempDir t;
  const std::string st = t.File("store");
  const std::string photo = DataDir() + "/pdq/images/bridge-mods/aaa-orig.jpg";
  // The bank was seeded from a copy turned 90 degrees.
  WriteFile(t.File("turned.png"), testing::EncodePng(testing::Rotated90(testing::DecodePixels(ReadFile(photo)))));
  auto turned = JsonLines(RunNeedle({"hash", "--format", "jsonl", t.File("turned.png")}).out).at(0);
  const std::string seed = "pdq " + turned["pdq"].get<std::string>() + "\n";
  WriteFile(t.File("seed.txt"), std::vector<uint8_t>(seed.begin(), seed.end()));
  ASSERT_EQ(RunNeedle({"bank", "create", "SEED", "--store", st}).exit_code, 0);
  ASSERT_EQ(RunNeedle({"bank", "import", "SEED", t.File("seed.txt"), "--store", st}).exit_code, 0);

  auto plain = RunNeedle({"match", "-q", "--store", st, photo});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(JsonLines(plain.out).at(0)["matches"].size(), 0u);
  auto turned_hit = RunNeedle({"match", "-q", "--dihedral", "--store", st, photo});
  ASSERT_EQ(turned_hit.exit_code, 0) << turned_hit.err;
  auto ms = JsonLines(turned_hit.out).at(0)["matches"];
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0]["variant"], "rot90");
  EXPECT_LE(ms[0]["distance"].get<int>(), 8);
}

TEST(BankCliTest, ExitCodesAndErrors) {
  TempDir t;
  const std::string st = t.File("store");
  EXPECT_EQ(RunNeedle({"bank", "list", "--store", st}).exit_code, 2);  // no store yet
  ASSERT_EQ(RunNeedle({"bank", "create", "A", "--store", st}).exit_code, 0);
  EXPECT_EQ(RunNeedle({"bank", "create", "A", "--store", st}).exit_code, 2);  // exists
  EXPECT_EQ(RunNeedle({"bank", "create", "bad name", "--store", st}).exit_code, 2);
  EXPECT_EQ(RunNeedle({"bank", "create", "T", "--threshold", "64", "--store", st}).exit_code, 2);
  EXPECT_EQ(RunNeedle({"lookup", "--store", st}).exit_code, 2);  // no query
  auto bad = RunNeedle({"lookup", "--store", st, "--pdq", "zz"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(JsonLines(bad.out).at(0)["error"], "invalid_argument");
  EXPECT_EQ(RunNeedle({"bank", "rm", "A", "--store", st}).exit_code, 0);
  EXPECT_EQ(RunNeedle({"bank", "rm", "A", "--store", st}).exit_code, 2);
}

}  // namespace
}  // namespace needle::cli
