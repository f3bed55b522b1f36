// Evidence is read-only: reading never changes content, mtime or (where the
// OS honours O_NOATIME) atime, and refuses what is not a regular file.
#include "media/evidence_file.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"

namespace needle::media {
namespace {

using namespace ::needle::testing;

TEST(EvidenceFileTest, ReadsEveryByteOnceAndKeepsTimes) {
  TempDir t;
  std::vector<uint8_t> data(3 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31);
  WriteFile(t.File("f.bin"), data);
  // Put atime in the past so a read would visibly move it.
  struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, t.File("f.bin").c_str(), times, 0), 0);
  struct stat before {};
  ASSERT_EQ(stat(t.File("f.bin").c_str(), &before), 0);

  auto ev = ReadEvidence(t.File("f.bin"));
  ASSERT_TRUE(ev.ok()) << ev.status().ToString();
  EXPECT_EQ(ev->size, data.size());
  EXPECT_TRUE(ev->kept);
  EXPECT_TRUE(ev->bytes == data);
  EXPECT_EQ(ev->digests.sha256, hash::DigestBytes(data.data(), data.size()).sha256);

  struct stat after {};
  ASSERT_EQ(stat(t.File("f.bin").c_str(), &after), 0);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_size, before.st_size);
  if (ev->noatime) {
    EXPECT_EQ(after.st_atim.tv_sec, before.st_atim.tv_sec);
  }
  EXPECT_TRUE(ReadFile(t.File("f.bin")) == data);
}

TEST(EvidenceFileTest, LargeFilesAreStreamedForDigestsOnly) {
  TempDir t;
  std::vector<uint8_t> data(5000, 7);
  WriteFile(t.File("big"), data);
  ReadOptions o;
  o.max_buffer_bytes = 1000;
  auto ev = ReadEvidence(t.File("big"), o);
  ASSERT_TRUE(ev.ok());
  EXPECT_FALSE(ev->kept);
  EXPECT_TRUE(ev->bytes.empty());
  EXPECT_EQ(ev->size, 5000u);
  EXPECT_EQ(ev->digests.md5, hash::DigestBytes(data.data(), data.size()).md5);
  EXPECT_EQ(ev->head.size(), 64u);
}

TEST(EvidenceFileTest, ErrorsAreNamed) {
  TempDir t;
  EXPECT_EQ(ReadEvidence(t.File("missing")).status().code(), Code::kNotFound);
  EXPECT_EQ(ReadEvidence(t.path()).status().code(), Code::kInvalidArgument);  // a directory
  WriteFile(t.File("target"), {1, 2, 3});
  ASSERT_EQ(symlink(t.File("target").c_str(), t.File("link").c_str()), 0);
  EXPECT_EQ(ReadEvidence(t.File("link")).status().code(), Code::kInvalidArgument);  // not followed
  if (geteuid() != 0) {  // root reads anything
    WriteFile(t.File("secret"), {1});
    chmod(t.File("secret").c_str(), 0);
    EXPECT_EQ(ReadEvidence(t.File("secret")).status().code(), Code::kPermissionDenied);
  }
}

}  // namespace
}  // namespace needle::media
