// Every importer on valid and malformed samples; imports are all or
// nothing, idempotent, and honour deletions.
#include "banks/importer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "banks/list_format.h"
#include "test_support.h"

namespace needle::banks {
namespace {

using ::needle::testing::DataDir;
using ::needle::testing::TempDir;

std::string Sample(const std::string& name) { return DataDir() + "/hashlists/" + name; }

std::vector<HashRecord> ParseFile(const std::string& name, ListFormat f, Status* st) {
  std::ifstream in(Sample(name), std::ios::binary);
  std::vector<HashRecord> out;
  *st = ParseList(in, f, {}, [&](HashRecord&& r) {
    out.push_back(std::move(r));
    return Status::Ok();
  });
  return out;
}

std::string Head(const std::string& name) {
  std::ifstream in(Sample(name), std::ios::binary);
  std::string s(4096, 0);
  in.read(s.data(), 4096);
  s.resize(in.gcount());
  return s;
}

TEST(ListFormatTest, DetectsEachFormatFromContent) {
  EXPECT_EQ(DetectListFormat(Head("plain.txt")), ListFormat::kText);
  EXPECT_EQ(DetectListFormat(Head("pytx.csv")), ListFormat::kCsv);
  EXPECT_EQ(DetectListFormat(Head("generic.csv")), ListFormat::kCsv);
  EXPECT_EQ(DetectListFormat(Head("vics13.json")), ListFormat::kVics);
  EXPECT_EQ(DetectListFormat(Head("vics20-cases.json")), ListFormat::kVics);
  EXPECT_EQ(DetectListFormat(Head("icse.csv")), ListFormat::kIcse);
  EXPECT_EQ(DetectListFormat(Head("ncmec.xml")), ListFormat::kNcmec);
  EXPECT_EQ(DetectListFormat(Head("stopncii.json")), ListFormat::kStopNcii);
  EXPECT_EQ(DetectListFormat(Head("stopncii-withdraw.jsonl")), ListFormat::kStopNcii);
}

TEST(ListFormatTest, PlainText) {
  Status st;
  auto r = ParseFile("plain.txt", ListFormat::kText, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(*r[0].pdq, "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22");
  EXPECT_EQ(*r[2].md5, "00112233445566778899aabbccddeeff");  // lowercased
  EXPECT_EQ(r[3].tags, std::vector<std::string>{"video"});
  EXPECT_TRUE(r[4].sha1.has_value());
  ParseFile("plain-bad.txt", ListFormat::kText, &st);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("line 2"), std::string::npos) << st.message();
}

TEST(ListFormatTest, PytxAndGenericCsv) {
  Status st;
  auto p = ParseFile("pytx.csv", ListFormat::kCsv, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].category, "POSITIVE_CLASS");
  EXPECT_EQ(p[0].tags, (std::vector<std::string>{"bridge", "test"}));
  EXPECT_EQ(p[0].metadata["collab"], "Sample Data");
  EXPECT_TRUE(p[1].md5.has_value());
  auto g = ParseFile("generic.csv", ListFormat::kCsv, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].source_key, "id:a1");
  EXPECT_EQ(g[0].series, "Series, with comma");
  EXPECT_EQ(g[1].metadata["note"], "multi\nline note");  // quoted newline kept
  EXPECT_TRUE(g[1].pdq && g[1].sha1);
  ParseFile("generic-bad.csv", ListFormat::kCsv, &st);
  EXPECT_NE(st.message().find("line 3"), std::string::npos) << st.message();
  ParseFile("generic-short-row.csv", ListFormat::kCsv, &st);
  EXPECT_NE(st.message().find("fields"), std::string::npos) << st.message();
}

TEST(ListFormatTest, VicsBothVersionsAndCases) {
  Status st;
  auto v = ParseFile("vics13.json", ListFormat::kVics, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].source_key, "vics:1");
  EXPECT_EQ(*v[0].md5, "00112233445566778899aabbccddeeff");
  EXPECT_EQ(v[0].series, "S-1");
  EXPECT_EQ(v[0].metadata["VictimIdentified"], false);  // kept verbatim
  EXPECT_EQ(v[1].photodna->size(), 192u);
  EXPECT_TRUE(v[1].ai_generated.value_or(false));
  auto c = ParseFile("vics20-cases.json", ListFormat::kVics, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(c.size(), 2u);  // the two Media; the Case envelope is not an entry
  EXPECT_TRUE(c[0].pdq.has_value());
  EXPECT_EQ(c[0].category, "5");
  ParseFile("vics-bad-context.json", ListFormat::kVics, &st);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  ParseFile("vics-truncated.json", ListFormat::kVics, &st);
  EXPECT_FALSE(st.ok());
}

TEST(ListFormatTest, Icse) {
  Status st;
  auto r = ParseFile("icse.csv", ListFormat::kIcse, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].source_key, "icse:IMG-1");
  EXPECT_EQ(r[0].series, "Series A");
  EXPECT_EQ(r[0].tags, (std::vector<std::string>{"is_distributed", "file_available", "baseline"}));
  EXPECT_TRUE(r[1].tags.empty());
  ParseFile("icse-bad.csv", ListFormat::kIcse, &st);
  EXPECT_NE(st.message().find("maybe"), std::string::npos) << st.message();
}

TEST(ListFormatTest, NcmecXml) {
  Status st;
  auto r = ParseFile("ncmec.xml", ListFormat::kNcmec, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].source_key, "ncmec:7-img-0001");
  EXPECT_EQ(r[0].classification, "A1");
  EXPECT_TRUE(r[0].pdq && r[0].md5);
  EXPECT_EQ(r[0].metadata["other_fingerprints"]["netclean"], "opaque-vendor-value");
  EXPECT_TRUE(r[2].deleted);
  EXPECT_EQ(r[3].tags, (std::vector<std::string>{"video"}));
  ParseFile("ncmec-bad-hash.xml", ListFormat::kNcmec, &st);
  EXPECT_EQ(st.code(), Code::kInvalidArgument) << st.ToString();
  ParseFile("ncmec-truncated.xml", ListFormat::kNcmec, &st);
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
}

TEST(ListFormatTest, StopNcii) {
  Status st;
  auto r = ParseFile("stopncii.json", ListFormat::kStopNcii, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(*r[1].md5, "0123456789abcdef0123456789abcdef");
  auto w = ParseFile("stopncii-withdraw.jsonl", ListFormat::kStopNcii, &st);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_TRUE(w[0].deleted);
  ParseFile("stopncii-bad.json", ListFormat::kStopNcii, &st);
  EXPECT_NE(st.message().find("record 1"), std::string::npos) << st.message();
  // Signal types needle cannot match (TMK video hashes) are kept verbatim:
  // a record with its key and the source fields, and no hash.
  std::istringstream tmk(R"({"signalType": "VideoTMK", "hashValue": "tmk-bytes", "hashStatus": "Active"})");
  std::vector<HashRecord> kept;
  ASSERT_TRUE(ParseStopNcii(tmk, [&](HashRecord&& r) {
                kept.push_back(std::move(r));
                return Status::Ok();
              }).ok());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_FALSE(kept[0].HasHash());
  EXPECT_EQ(kept[0].source_key, "stopncii:VideoTMK:tmk-bytes");
  EXPECT_EQ(kept[0].metadata["hashValue"], "tmk-bytes");
}

TEST(ListFormatTest, HostileJsonAndXmlAreCleanErrors) {
  auto parse = [](const std::string& text, ListFormat f) {
    std::istringstream in(text);
    return ParseList(in, f, {}, [](HashRecord&&) { return Status::Ok(); });
  };
  std::string deep = "{\"odata.metadata\": \"x/DataModels/1.3.xml\", \"value\": [" + std::string(10000, '[');
  EXPECT_FALSE(parse(deep, ListFormat::kVics).ok());
  std::string xdeep = "<a>";
  for (int i = 0; i < 200; ++i) xdeep += "<b>";
  EXPECT_FALSE(parse(xdeep, ListFormat::kNcmec).ok());
  std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
      "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
      "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
      "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">]><queryResult><images><image><id>&g;</id>"
      "</image></images></queryResult>";
  EXPECT_FALSE(parse(laughs, ListFormat::kNcmec).ok());
  EXPECT_FALSE(parse("\"unterminated", ListFormat::kStopNcii).ok());
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::BankStore::Open(dir_.path() + "/store", true);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    store::BankConfig c;
    c.name = "B";
    ASSERT_TRUE(store_->CreateBank(c).ok());
  }
  int64_t Count() { return store_->GetBank("B")->entries; }
  TempDir dir_;
  std::unique_ptr<store::BankStore> store_;
};

TEST_F(ImportTest, EveryFormatImportsAndReimportIsANoOp) {
  for (const char* f : {"plain.txt", "pytx.csv", "generic.csv", "vics13.json", "vics20-cases.json", "icse.csv",
                        "ncmec.xml", "stopncii.json"}) {
    auto r = ImportFile(*store_, "B", Sample(f), ListFormat::kAuto);
    ASSERT_TRUE(r.ok()) << f << ": " << r.status().ToString();
    auto again = ImportFile(*store_, "B", Sample(f), ListFormat::kAuto);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->counts.inserted + again->counts.updated, 0) << f;
    EXPECT_EQ(again->counts.unchanged, r->counts.inserted + r->counts.updated + r->counts.unchanged) << f;
  }
}

TEST_F(ImportTest, MalformedRecordLeavesTheBankUnchanged) {
  ASSERT_TRUE(ImportFile(*store_, "B", Sample("plain.txt"), ListFormat::kAuto).ok());
  const int64_t before = Count();
  const uint64_t gen = *store_->Generation();
  // A valid first record, then a malformed one: nothing may be kept.
  for (const char* f : {"plain-bad.txt", "generic-bad.csv", "icse-bad.csv", "ncmec-bad-hash.xml", "stopncii-bad.json",
                        "vics-truncated.json"}) {
    auto r = ImportFile(*store_, "B", Sample(f), ListFormat::kAuto);
    EXPECT_FALSE(r.ok()) << f;
    EXPECT_NE(r.status().message().find(f), std::string::npos) << r.status().message();
    EXPECT_EQ(Count(), before) << f;
    EXPECT_EQ(*store_->Generation(), gen) << f;
  }
}

TEST_F(ImportTest, DeletionsInTheSourceRemoveEntries) {
  ASSERT_TRUE(ImportFile(*store_, "B", Sample("ncmec.xml"), ListFormat::kAuto).ok());
  EXPECT_EQ(Count(), 3);  // two images and one video; the deletedImage was not there
  auto del = ImportFile(*store_, "B", Sample("ncmec-delete.xml"), ListFormat::kAuto);
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->counts.deleted, 1);
  EXPECT_EQ(Count(), 2);
  ASSERT_TRUE(ImportFile(*store_, "B", Sample("stopncii.json"), ListFormat::kAuto).ok());
  EXPECT_EQ(Count(), 5);
  auto w = ImportFile(*store_, "B", Sample("stopncii-withdraw.jsonl"), ListFormat::kAuto);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->counts.deleted, 1);
  EXPECT_EQ(Count(), 4);
}

TEST_F(ImportTest, ExportRoundTripsThroughEveryFormat) {
  ASSERT_TRUE(ImportFile(*store_, "B", Sample("generic.csv"), ListFormat::kAuto).ok());
  ASSERT_TRUE(ImportFile(*store_, "B", Sample("icse.csv"), ListFormat::kAuto).ok());
  for (auto [ef, lf] : {std::pair{ExportFormat::kText, ListFormat::kText}, std::pair{ExportFormat::kCsv, ListFormat::kCsv},
                        std::pair{ExportFormat::kVics, ListFormat::kVics}}) {
    std::ostringstream out;
    auto ex = MakeExporter(ef, out);
    ASSERT_TRUE(store_->ForEachEntry("B", [&](const store::BankEntry& e) {
      ex->Write(e.id, e.record);
      return Status::Ok();
    }).ok());
    ex->Finish();
    std::istringstream in(out.str());
    std::set<std::string> hashes;
    Status st = ParseList(in, lf, {}, [&](HashRecord&& r) {
      for (auto* h : {&r.md5, &r.sha1, &r.pdq})
        if (*h) hashes.insert(**h);
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << ListFormatName(lf) << ": " << st.ToString() << "\n" << out.str();
    EXPECT_TRUE(hashes.count("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22") ||
                lf == ListFormat::kVics ? true : false);
    EXPECT_TRUE(hashes.count("00112233445566778899aabbccddeeff00112233")) << ListFormatName(lf);
    EXPECT_TRUE(hashes.count("ffeeddccbbaa99887766554433221100")) << ListFormatName(lf);
  }
}

}  // namespace
}  // namespace needle::banks
