// Lookups honour each bank's threshold, enabled flag and minimum quality,
// and the index snapshot is reused only while it is current.
#include "banks/matcher.h"

#include <gtest/gtest.h>

#include <cstring>
#include <ctime>

#include "banks/entry_banks_file.h"
#include "banks/importer.h"
#include "test_support.h"

namespace needle::banks {
namespace {

using ::needle::testing::DataDir;
using ::needle::testing::TempDir;

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(store::BankStore::Open(dir_.path(), true)).value();
    store::BankConfig hay;
    hay.name = "HAY";
    ASSERT_TRUE(store_->CreateBank(hay).ok());
    ASSERT_TRUE(ImportFile(*store_, "HAY", DataDir() + "/pdq/hash-lists/haystack.txt", ListFormat::kAuto).ok());
  }
  TempDir dir_;
  std::unique_ptr<store::BankStore> store_;
};

const char* kNeedle0 = "98736629670cc19fc9f23862f66cce1f599e32c78e236c78619d202e9e66c157";

TEST_F(MatcherTest, PerBankThresholdAndEnable) {
  auto m = Matcher::Open(*store_);
  ASSERT_TRUE(m.ok());
  auto q = *hash::Hash256::FromHex(kNeedle0);
  auto all = (*m)->LookupPdq(q, std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);  // distances 0, 4, 20 (reference pairs for needle 0)
  EXPECT_EQ((*all)[0].distance, 0);
  EXPECT_EQ((*all)[2].distance, 20);

  auto b = *store_->GetBank("HAY");
  b.pdq_threshold = 10;
  ASSERT_TRUE(store_->UpdateBank(b).ok());
  ASSERT_TRUE((*m)->RefreshBanks().ok());
  EXPECT_EQ((*m)->LookupPdq(q, std::nullopt)->size(), 2u);

  EXPECT_EQ((*m)->LookupPdq(q, 40)->size(), 0u);  // below the bank's minimum quality
  EXPECT_EQ((*m)->LookupPdq(q, 80)->size(), 2u);

  b.enabled = false;
  ASSERT_TRUE(store_->UpdateBank(b).ok());
  ASSERT_TRUE((*m)->RefreshBanks().ok());
  EXPECT_EQ((*m)->LookupPdq(q, std::nullopt)->size(), 0u);
}

TEST_F(MatcherTest, SnapshotIsReusedOnlyWhileCurrent) {
  { ASSERT_TRUE(Matcher::Open(*store_).ok()); }  // builds and saves
  auto again = Matcher::Open(*store_);
  EXPECT_TRUE((*again)->loaded_from_snapshot());
  // The service's resident copy of the snapshot finds the same matches.
  auto resident = Matcher::Open(*store_, true, IndexMemory::kResident);
  ASSERT_TRUE(resident.ok());
  EXPECT_TRUE((*resident)->loaded_from_snapshot());
  const auto q0 = *hash::Hash256::FromHex(kNeedle0);
  auto mapped_hits = (*again)->LookupPdq(q0, std::nullopt);
  auto resident_hits = (*resident)->LookupPdq(q0, std::nullopt);
  ASSERT_TRUE(mapped_hits.ok() && resident_hits.ok());
  ASSERT_EQ(resident_hits->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*resident_hits)[i].entry_id, (*mapped_hits)[i].entry_id);
    EXPECT_EQ((*resident_hits)[i].distance, (*mapped_hits)[i].distance);
  }
  HashRecord r;
  r.pdq = "0000000000000000000000000000000000000000000000000000000000000000";
  DefaultKey(&r);
  ASSERT_TRUE(store_->AddEntry("HAY", r).ok());
  auto stale = Matcher::Open(*store_);
  EXPECT_FALSE((*stale)->loaded_from_snapshot());  // generation moved: rebuilt
  auto hits = (*stale)->LookupPdq(*hash::Hash256::FromHex(*r.pdq), std::nullopt);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 1u);
}

// The entry -> bank map saved with the snapshot spares a start-up the walk
// over the database; a damaged or stale one is never trusted.
TEST_F(MatcherTest, BankMapIsReusedOnlyWhileCurrentAndIntact) {
  const auto q0 = *hash::Hash256::FromHex(kNeedle0);
  std::vector<Match> want;
  {
    auto first = std::move(Matcher::Open(*store_)).value();  // builds, saves both files
    EXPECT_FALSE(first->loaded_bank_map());
    want = *first->LookupPdq(q0, std::nullopt);
    ASSERT_EQ(want.size(), 3u);
  }
  auto expect_same = [&](Matcher& m) {
    auto got = m.LookupPdq(q0, std::nullopt);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ((*got)[i].entry_id, want[i].entry_id);
      EXPECT_EQ((*got)[i].bank, want[i].bank);
    }
  };
  auto again = std::move(Matcher::Open(*store_)).value();
  EXPECT_TRUE(again->loaded_from_snapshot());
  EXPECT_TRUE(again->loaded_bank_map());
  expect_same(*again);

  // Damaged: one payload byte changed, truncated, or a trailing byte. Each
  // time the map is rebuilt from the database and saved again.
  const std::string path = store_->EntryBanksPath();
  auto bytes = needle::testing::ReadFile(path);
  ASSERT_GT(bytes.size(), 100u);
  std::vector<std::vector<uint8_t>> damaged(3, bytes);
  damaged[0][bytes.size() - 3] ^= 0x01;
  damaged[1].resize(bytes.size() - 4);
  damaged[2].push_back(0);
  for (const auto& d : damaged) {
    needle::testing::WriteFile(path, d);
    EXPECT_FALSE(ReadEntryBanks(path).ok());
    auto m = std::move(Matcher::Open(*store_)).value();
    EXPECT_TRUE(m->loaded_from_snapshot());
    EXPECT_FALSE(m->loaded_bank_map());
    expect_same(*m);
    EXPECT_EQ(needle::testing::ReadFile(path), bytes);  // saved again, whole
  }
  // Stale: the store changed since.
  HashRecord r;
  r.pdq = "0000000000000000000000000000000000000000000000000000000000000000";
  DefaultKey(&r);
  ASSERT_TRUE(store_->AddEntry("HAY", r).ok());
  auto stale = std::move(Matcher::Open(*store_)).value();
  EXPECT_FALSE(stale->loaded_bank_map());
  expect_same(*stale);
}

TEST(EntryBanksFileTest, RoundTripsAndRefusesACountItsSizeCannotHold) {
  needle::testing::TempDir dir;
  const std::string path = dir.path() + "/pdq.banks";
  EXPECT_EQ(ReadEntryBanks(path).status().code(), Code::kNotFound);
  EntryBanks m{42, {0, 3, 3, 0, 7, -1}};
  ASSERT_TRUE(WriteEntryBanks(path, m).ok());
  auto back = ReadEntryBanks(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->generation, 42u);
  EXPECT_EQ(back->bank_of, m.bank_of);
  // A header claiming 2^32 entries in a 120-byte file: refused before any
  // allocation for them.
  auto bytes = needle::testing::ReadFile(path);
  const uint64_t huge = uint64_t(1) << 32;
  std::memcpy(bytes.data() + 24, &huge, 8);
  needle::testing::WriteFile(path, bytes);
  EXPECT_EQ(ReadEntryBanks(path).status().code(), Code::kCorrupt);
  needle::testing::WriteFile(path, std::vector<uint8_t>(10, 'x'));
  EXPECT_EQ(ReadEntryBanks(path).status().code(), Code::kCorrupt);
}

TEST_F(MatcherTest, DigestLookups) {
  store::BankConfig c;
  c.name = "ALLOW";
  c.kind = store::BankKind::kSuppress;
  ASSERT_TRUE(store_->CreateBank(c).ok());
  ASSERT_TRUE(ImportFile(*store_, "ALLOW", DataDir() + "/hashlists/icse.csv", ListFormat::kAuto).ok());
  auto m = Matcher::Open(*store_);
  auto hit = (*m)->LookupDigest(store::DigestType::kMd5, "00112233445566778899aabbccddeeff");
  ASSERT_TRUE(hit.ok());
  ASSERT_EQ(hit->size(), 1u);
  EXPECT_EQ((*hit)[0].bank, "ALLOW");
  EXPECT_EQ((*hit)[0].kind, store::BankKind::kSuppress);
  EXPECT_EQ((*hit)[0].entry.record.series, "Series A");
}

TEST_F(MatcherTest, DisabledEntriesAreDroppedUntilTheirTimeAndOldStoresMigrate) {
  // A store written before per-content disabling (schema 2) gains the column
  // on open, its entries intact.
  ASSERT_TRUE(store_->db().Exec("DROP INDEX entries_disabled; ALTER TABLE entries DROP COLUMN disable_until_ts;"
                                "ALTER TABLE banks DROP COLUMN entry_count;"
                                "UPDATE meta SET value = '2' WHERE key = 'schema_version'").ok());
  store_.reset();
  store_ = std::move(store::BankStore::Open(dir_.path(), true)).value();
  EXPECT_EQ(store_->GetBank("HAY")->entries, 1350);  // counted once, by the migration
  auto m = std::move(Matcher::Open(*store_)).value();
  const auto q = *hash::Hash256::FromHex(kNeedle0);
  auto all = std::move(m->LookupPdq(q, std::nullopt)).value();
  ASSERT_EQ(all.size(), 3u);
  const int64_t id = all[0].entry_id;
  EXPECT_EQ(all[0].entry.disable_until_ts, 0);

  const int64_t now = std::time(nullptr);
  ASSERT_TRUE(store_->UpdateEntryState("HAY", id, now - 10, std::nullopt).ok());  // already past: still matched
  ASSERT_TRUE(m->RefreshBanks().ok());
  EXPECT_EQ(m->LookupPdq(q, std::nullopt)->size(), 3u);
  ASSERT_TRUE(store_->UpdateEntryState("HAY", id, now + 600, std::string("a false positive")).ok());
  ASSERT_TRUE(m->RefreshDisabled().ok());
  auto left = std::move(m->LookupPdq(q, std::nullopt)).value();
  ASSERT_EQ(left.size(), 2u);
  for (const auto& x : left) EXPECT_NE(x.entry_id, id);
  EXPECT_EQ(m->LookupPdqFast(q, std::nullopt, 0.0, {}).size(), 2u);
  EXPECT_EQ(m->LookupPdqFast(q, std::nullopt, 0.0, {}, /*ignore_enabled=*/true).size(), 3u);  // raw_lookup
  auto e = std::move(store_->EntriesById({id})).value();
  EXPECT_EQ(e[0].disable_until_ts, now + 600);
  EXPECT_EQ(e[0].record.metadata["note"], "a false positive");
  EXPECT_EQ(store_->UpdateEntryState("NO_SUCH_BANK", id, 0, std::nullopt).code(), Code::kNotFound);
  EXPECT_EQ(store_->UpdateEntryState("HAY", 987654321, 0, std::nullopt).code(), Code::kNotFound);
  EXPECT_FALSE(store_->UpdateEntryState("HAY", id, -5, std::nullopt).ok());
  // A new matcher (a restart) reads the state from the store.
  auto fresh = std::move(Matcher::Open(*store_)).value();
  EXPECT_EQ(fresh->LookupPdq(q, std::nullopt)->size(), 2u);
  ASSERT_TRUE(store_->UpdateEntryState("HAY", id, 0, std::nullopt).ok());
  ASSERT_TRUE(fresh->RefreshBanks().ok());
  EXPECT_EQ(fresh->LookupPdq(q, std::nullopt)->size(), 3u);
  EXPECT_EQ(std::move(store_->EntriesById({id})).value()[0].record.metadata["note"], "a false positive");
}

TEST_F(MatcherTest, BankEntryCountsFollowEveryChange) {
  // Each bank's count is kept in its row, not counted per read: after every
  // kind of change it must equal a count of the rows.
  auto check = [&](const char* when) {
    auto banks = std::move(store_->ListBanks()).value();
    for (const auto& b : banks) {
      auto q = std::move(store_->db().Prepare("SELECT count(*) FROM entries WHERE bank_id = ?")).value();
      q.Bind(1, b.id);
      ASSERT_TRUE(*q.Step());
      EXPECT_EQ(b.entries, q.Int(0)) << b.name << " after " << when;
    }
  };
  check("an import");
  store::BankConfig other;
  other.name = "OTHER";
  ASSERT_TRUE(store_->CreateBank(other).ok());
  HashRecord r;
  r.pdq = std::string(64, 'a');
  DefaultKey(&r);
  const int64_t id = *store_->AddEntry("OTHER", r);
  check("an add");
  ASSERT_TRUE(store_->AddEntry("OTHER", r).ok());  // the same key again: an update, not a new entry
  r.category = "1";
  ASSERT_TRUE(store_->AddEntry("OTHER", r).ok());
  check("updates");
  EXPECT_EQ(*store_->RemoveEntry("OTHER", id), 1);
  EXPECT_EQ(*store_->RemoveEntry("OTHER", id), 0);
  EXPECT_EQ(*store_->RemoveEntry("HAY", id), 0);  // not that bank's
  check("removals");
  {
    auto session = std::move(store_->BeginImport("HAY")).value();
    int n = 0;
    ASSERT_TRUE(store_->ForEachEntry("HAY", [&](const store::BankEntry& e) {
      if (n++ >= 10) return Status::Ok();
      HashRecord gone = e.record;
      gone.deleted = true;
      return session->Apply(gone);
    }).ok());
    HashRecord missing;
    missing.source_key = "never-there";
    missing.deleted = true;
    ASSERT_TRUE(session->Apply(missing).ok());
    HashRecord fresh;
    fresh.pdq = std::string(64, 'b');
    DefaultKey(&fresh);
    ASSERT_TRUE(session->Apply(fresh).ok());
    ASSERT_TRUE(session->Commit("x", "", "test").ok());
  }
  EXPECT_EQ(store_->GetBank("HAY")->entries, 1350 - 10 + 1);
  check("an import with deletions");
  {
    auto session = std::move(store_->BeginImport("HAY")).value();
    HashRecord more;
    more.pdq = std::string(64, 'c');
    DefaultKey(&more);
    ASSERT_TRUE(session->Apply(more).ok());
  }  // not committed: rolled back, count included
  check("an abandoned import");
  EXPECT_EQ(store_->GetBank("HAY")->entries, 1341);
}

TEST_F(MatcherTest, LiveRemovesCountOnlyEntriesTheIndexHolds) {
  auto m = std::move(Matcher::Open(*store_)).value();
  const size_t before = m->IndexSize();
  ASSERT_GT(before, 0u);
  HashRecord digest_only;
  digest_only.md5 = "00112233445566778899aabbccddeeff";
  DefaultKey(&digest_only);
  const int64_t md5_id = *store_->AddEntry("HAY", digest_only);  // no PDQ: not in the index
  HashRecord with_pdq;
  with_pdq.pdq = "0000000000000000000000000000000000000000000000000000000000000001";
  DefaultKey(&with_pdq);
  const int64_t pdq_id = *store_->AddEntry("HAY", with_pdq);
  m->AddLive(pdq_id, store_->GetBank("HAY")->id, *hash::Hash256::FromHex(*with_pdq.pdq));
  EXPECT_EQ(m->IndexSize(), before + 1);
  m->RemoveLive({md5_id, 987654321, -5});  // none of them indexed: nothing changes
  EXPECT_EQ(m->IndexSize(), before + 1);
  m->RemoveLive({pdq_id, pdq_id});
  m->RemoveLive({pdq_id});
  EXPECT_EQ(m->IndexSize(), before);
  EXPECT_TRUE(m->LookupPdq(*hash::Hash256::FromHex(*with_pdq.pdq), 100)->empty());
}

}  // namespace
}  // namespace needle::banks
