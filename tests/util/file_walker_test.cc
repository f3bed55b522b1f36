#include "util/file_walker.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"

namespace needle::util {
namespace {

using namespace ::needle::testing;

std::vector<std::string> Walk(const std::vector<std::string>& roots, WalkOptions o, std::vector<WalkEntry>* all = nullptr) {
  FileWalker w(roots, o);
  WalkEntry e;
  std::vector<std::string> files;
  while (w.Next(&e)) {
    if (all) all->push_back(e);
    if (e.kind == WalkEntry::Kind::kFile) files.push_back(e.path);
  }
  return files;
}

TEST(FileWalkerTest, SortedDepthFirstAndStable) {
  TempDir t;
  mkdir(t.File("b").c_str(), 0755);
  mkdir(t.File("a").c_str(), 0755);
  mkdir(t.File("a/z").c_str(), 0755);
  for (const char* f : {"c.jpg", "a/2.png", "a/1.png", "a/z/x", "b/y"}) WriteFile(t.File(f), {1});
  auto files = Walk({t.path()}, {});
  std::vector<std::string> want = {t.File("a/1.png"), t.File("a/2.png"), t.File("a/z/x"), t.File("b/y"), t.File("c.jpg")};
  EXPECT_EQ(files, want);
  EXPECT_EQ(Walk({t.File("c.jpg"), t.File("a/1.png")}, {}), (std::vector<std::string>{t.File("c.jpg"), t.File("a/1.png")}));
}

TEST(FileWalkerTest, SymlinksAreReportedNotFollowedByDefault) {
  TempDir t;
  mkdir(t.File("d").c_str(), 0755);
  WriteFile(t.File("d/real"), {1});
  ASSERT_EQ(symlink(t.File("d/real").c_str(), t.File("d/link").c_str()), 0);
  ASSERT_EQ(symlink(t.path().c_str(), t.File("d/loop").c_str()), 0);  // a cycle
  std::vector<WalkEntry> all;
  auto files = Walk({t.path()}, {}, &all);
  EXPECT_EQ(files, std::vector<std::string>{t.File("d/real")});
  int skipped = 0;
  for (auto& e : all) skipped += e.kind == WalkEntry::Kind::kSkipped;
  EXPECT_EQ(skipped, 2);

  WalkOptions follow;
  follow.follow_symlinks = true;
  auto followed = Walk({t.path()}, follow);  // must terminate despite the loop
  EXPECT_EQ(followed.size(), 2u);            // real and link (to the same file)
}

TEST(FileWalkerTest, MissingRootIsAnErrorEntryAndTheWalkGoesOn) {
  TempDir t;
  WriteFile(t.File("ok"), {1});
  std::vector<WalkEntry> all;
  auto files = Walk({t.File("nope"), t.File("ok")}, {}, &all);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, WalkEntry::Kind::kError);
  EXPECT_EQ(all[0].error.code(), Code::kNotFound);
  EXPECT_EQ(files, std::vector<std::string>{t.File("ok")});
}

TEST(FileWalkerTest, DepthIsBounded) {
  TempDir t;
  std::string p = t.path();
  for (int i = 0; i < 12; ++i) {
    p += "/d";
    mkdir(p.c_str(), 0755);
  }
  WriteFile(p + "/deep", {1});
  WalkOptions o;
  o.max_depth = 5;
  std::vector<WalkEntry> all;
  auto files = Walk({t.path()}, o, &all);
  EXPECT_TRUE(files.empty());
  bool limit = false;
  for (auto& e : all) limit |= e.kind == WalkEntry::Kind::kError && e.error.code() == Code::kTooLarge;
  EXPECT_TRUE(limit);
}

}  // namespace
}  // namespace needle::util
