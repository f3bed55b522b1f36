// Conformance with the PDQ reference: exact hash and quality on every vector
// (../shared/vectors/pdq, copied to tests/data/pdq). No tolerance anywhere.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "hash/file_hasher.h"
#include "test_support.h"

namespace needle::hash {
namespace {

using ::needle::testing::DataDir;
using ::needle::testing::ReadCsv;

bool Exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

FileHashRecord Hash(const std::string& path, Pipeline p, bool dihedral = false) {
  HashOptions o;
  o.pipeline = p;
  o.dihedral = dihedral;
  return HashFile(path, o);
}

// Rows of local-reference.csv whose image is in `root` (tests/data or ../shared).
struct RefCase {
  std::string path, fullres, fullres_q, cimg, cimg_q;
};
std::vector<RefCase> RefCases(const std::string& root, bool only_missing_locally) {
  std::vector<RefCase> out;
  for (auto& r : ReadCsv(DataDir() + "/pdq/expected/local-reference.csv")) {
    std::string local = DataDir() + "/pdq/" + r["path"];
    bool here = Exists(local);
    if (only_missing_locally == here) continue;
    out.push_back({root + "/" + r["path"], r["fullres_hash"], r["fullres_quality"], r["cimg_nn512_hash"],
                   r["cimg_nn512_quality"]});
  }
  return out;
}

void ExpectReference(const std::vector<RefCase>& cases) {
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    FileHashRecord f = Hash(c.path, Pipeline::kFullres);
    ASSERT_TRUE(f.error.ok()) << c.path << ": " << f.error.ToString();
    EXPECT_EQ(f.pdq->hash.ToHex(), c.fullres) << c.path;
    EXPECT_EQ(std::to_string(f.pdq->quality), c.fullres_q) << c.path;
    FileHashRecord g = Hash(c.path, Pipeline::kCimg512);
    ASSERT_TRUE(g.error.ok()) << c.path;
    EXPECT_EQ(g.pdq->hash.ToHex(), c.cimg) << c.path << " (cimg512)";
    EXPECT_EQ(std::to_string(g.pdq->quality), c.cimg_q) << c.path << " (cimg512)";
  }
}

TEST(PdqConformanceTest, LocalReferenceFullresAndCimg512Exact) {
  auto cases = RefCases(DataDir() + "/pdq", false);
  EXPECT_GE(cases.size(), 30u);
  ExpectReference(cases);
}

TEST(PdqConformanceTest, LargeReferenceImagesFromShared) {
  NEEDLE_REQUIRE_SHARED_OR_SKIP(shared);
  auto cases = RefCases(shared + "/vectors/pdq", true);
  ExpectReference(cases);  // dih/ and exif-rotn/ photos
}

TEST(PdqConformanceTest, SyntheticImagesIncludingFmaSensitiveOnes) {
  const std::string dir = DataDir() + "/pdq/synthetic/";
  auto rows = ReadCsv(dir + "expected.csv");
  ASSERT_EQ(rows.size(), 15u);
  const char* names[] = {"rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1", "flipminus1"};
  for (auto& r : rows) {
    FileHashRecord f = Hash(dir + r["file"], Pipeline::kFullres, true);
    ASSERT_TRUE(f.error.ok()) << r["file"];
    EXPECT_EQ(f.pdq->hash.ToHex(), r["fullres_hash"]) << r["file"];
    EXPECT_EQ(std::to_string(f.pdq->quality), r["fullres_quality"]) << r["file"];
    FileHashRecord c = Hash(dir + r["file"], Pipeline::kCimg512);
    EXPECT_EQ(c.pdq->hash.ToHex(), r["cimg_nn512_hash"]) << r["file"];
    // The dihedral entry point always filters: on 64x64 input its `orig`
    // may differ from the plain hash, and the vectors record that.
    if (f.width >= 5 && f.height >= 5) {
      ASSERT_TRUE(f.dihedral.has_value());
      EXPECT_EQ(f.dihedral->orig.ToHex(), r["dih_orig"]) << r["file"];
      const Hash256* got[] = {&f.dihedral->rot90, &f.dihedral->rot180, &f.dihedral->rot270, &f.dihedral->flipx,
                              &f.dihedral->flipy, &f.dihedral->flipplus1, &f.dihedral->flipminus1};
      for (int i = 0; i < 7; ++i) EXPECT_EQ(got[i]->ToHex(), r[std::string("dih_") + names[i]]) << r["file"] << " " << names[i];
    }
  }
}

TEST(PdqConformanceTest, DihedralVariantsExact) {
  const char* names[] = {"rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1", "flipminus1"};
  int checked = 0;
  auto shared = ::needle::testing::SharedDir();
  for (auto& r : ReadCsv(DataDir() + "/pdq/expected/local-dihedral.csv")) {
    std::string path = DataDir() + "/pdq/" + r["path"];
    if (!Exists(path)) {
      if (!shared) continue;
      path = *shared + "/vectors/pdq/" + r["path"];
    }
    FileHashRecord f = Hash(path, Pipeline::kFullres, true);
    ASSERT_TRUE(f.error.ok() && f.dihedral) << path;
    EXPECT_EQ(f.dihedral->orig.ToHex(), r["orig"]) << path;
    EXPECT_EQ(std::to_string(f.dihedral->quality), r["quality"]) << path;
    const Hash256* got[] = {&f.dihedral->rot90, &f.dihedral->rot180, &f.dihedral->rot270, &f.dihedral->flipx,
                            &f.dihedral->flipy, &f.dihedral->flipplus1, &f.dihedral->flipminus1};
    for (int i = 0; i < 7; ++i) EXPECT_EQ(got[i]->ToHex(), r[names[i]]) << path << " " << names[i];
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(PdqConformanceTest, ExifOrientationRecordedNotAppliedWithOrientedVariant) {
  NEEDLE_REQUIRE_SHARED_OR_SKIP(shared);
  // pdq.md §6.5: exif-rotn-6.jpg hashes to e9782aad... raw and 55d1fbab...
  // after applying orientation 6 to the pixels. needle keeps the raw hash
  // canonical and offers the DCT-domain variant as pdq_oriented.
  FileHashRecord f = Hash(shared + "/vectors/pdq/images/reg-test-input/exif-rotn/exif-rotn-6.jpg", Pipeline::kFullres);
  ASSERT_TRUE(f.error.ok());
  EXPECT_EQ(f.orientation, 6);
  EXPECT_EQ(f.pdq->hash.ToHex().substr(0, 8), "e9782aad");
  ASSERT_TRUE(f.pdq_oriented.has_value());
  EXPECT_EQ(f.pdq_oriented->ToHex().substr(0, 8), "55d1fbab");
  FileHashRecord one = Hash(shared + "/vectors/pdq/images/reg-test-input/exif-rotn/exif-rotn-1.jpg", Pipeline::kFullres);
  EXPECT_EQ(one.orientation, 1);
  EXPECT_FALSE(one.pdq_oriented.has_value());
}

TEST(PdqConformanceTest, FastPipelineStaysCloseToFullres) {
  // Not an exactness test: the fast pipeline is a different pipeline. The
  // bridge edits at 1600x1004 decode at 1/2 scale; all stay within 16 bits.
  const std::string dir = DataDir() + "/pdq/images/bridge-mods/";
  for (const char* name : {"aaa-orig.jpg", "blur-a-lot.jpg", "sharpen-a-lot.jpg", "high-contrast.jpg"}) {
    FileHashRecord full = Hash(dir + name, Pipeline::kFullres);
    FileHashRecord fast = Hash(dir + name, Pipeline::kFast);
    ASSERT_TRUE(fast.error.ok());
    EXPECT_EQ(fast.scale_denom, 2) << name;
    EXPECT_LE(Distance(full.pdq->hash, fast.pdq->hash), 16) << name;
  }
  // Small images are never scaled.
  FileHashRecord small = Hash(dir + "square-256x256.jpg", Pipeline::kFast);
  EXPECT_EQ(small.scale_denom, 1);
}

}  // namespace
}  // namespace needle::hash
