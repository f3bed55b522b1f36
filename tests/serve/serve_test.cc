// needle serve over real HTTP on loopback.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "banks/importer.h"
#include "hash/digest.h"
#include "hash/file_hasher.h"
#include "media/encode_helpers.h"
#include "banks/matcher.h"
#include "serve/serve_fixture.h"
#include "serve/server.h"
#include "store/bank_store.h"
#include "test_support.h"

namespace needle::serve {
namespace {

using namespace ::needle::testing;
using json = nlohmann::json;

TEST_F(ServeTest, TokensAndRoles) {
  Start();
  const std::string q = "/m/lookup?signal_type=pdq&signal=" + FirstHay();
  EXPECT_EQ(Client("").Get(q)->status, 401);
  EXPECT_EQ(Client("ndl_not-a-token").Get(q)->status, 401);
  EXPECT_EQ(Client(submitter_).Get(q)->status, 200);
  EXPECT_EQ(Client(submitter_).Get("/c/banks")->status, 403);  // curator endpoint
  EXPECT_EQ(Client(admin_).Get("/c/banks")->status, 200);
  EXPECT_EQ(Client(submitter_).Get("/v1/case/items")->status, 403);
  auto bad = Client(submitter_).Get(q);
  EXPECT_EQ(json::parse(bad->body).contains("HAY"), true);
}

TEST_F(ServeTest, HmaShapesAndErrors) {
  Start();
  auto c = Client(submitter_);
  auto r = c.Get("/m/lookup?signal_type=pdq&signal=" + FirstHay());
  ASSERT_EQ(r->status, 200);
  auto j = json::parse(r->body);
  ASSERT_TRUE(j["HAY"].is_array());
  EXPECT_EQ(j["HAY"][0]["distance"], "0");  // HMA serialises distance as a string
  EXPECT_TRUE(j["HAY"][0]["bank_content_id"].is_number_integer());
  EXPECT_EQ(c.Get("/m/lookup?signal_type=pdq&signal=zz")->status, 400);
  EXPECT_EQ(c.Get("/m/lookup?url=http://127.0.0.1/x.jpg")->status, 400);  // never fetches
  EXPECT_EQ(c.Get("/h/hash?url=http://127.0.0.1/x.jpg")->status, 400);
  auto raw = c.Get("/m/raw_lookup?signal_type=pdq&signal=" + FirstHay() + "&include_distance=true");
  EXPECT_FALSE(json::parse(raw->body)["matches"].empty());
  auto cmp = c.Post("/m/compare", json{{"pdq", {FirstHay(), FirstHay()}}}.dump(), "application/json");
  EXPECT_EQ(json::parse(cmp->body)["pdq"][1]["distance"], 0);
  EXPECT_EQ(c.Post("/m/compare", "{\"pdq\": [\"x\"]}", "application/json")->status, 400);
  EXPECT_EQ(json::parse(c.Get("/m/index/status")->body)["pdq"]["size"], 1350);
  auto map = json::parse(c.Get("/site-map")->body);
  EXPECT_TRUE(std::is_sorted(map.begin(), map.end()));

  // The curator's signal- and content-type configuration (read-only).
  auto cur = Client(admin_);
  EXPECT_EQ(c.Get("/c/signal_type")->status, 403);
  EXPECT_EQ(json::parse(cur.Get("/c/signal_type")->body)[0], json({{"name", "pdq"}, {"enabled_ratio", 1.0}}));
  EXPECT_EQ(json::parse(cur.Get("/c/content_type")->body).size(), 2u);
  EXPECT_EQ(cur.Put("/c/signal_type/pdq", "{\"enabled_ratio\": 0}", "application/json")->status, 400);
  auto idx = json::parse(cur.Get("/c/signal_type/index")->body);
  EXPECT_EQ(idx["pdq"]["db_size"], 1350);
  EXPECT_EQ(idx["pdq"]["index_size"], 1350);
  EXPECT_EQ(idx["pdq"]["index_out_of_date"], false);
  EXPECT_EQ(idx["video_md5"]["db_size"], 0);
  EXPECT_GT(idx["pdq"]["newest_db_item"].get<int64_t>(), 1700000000);  // when HAY was imported
  EXPECT_FALSE(json::parse(cur.Get("/c/signal_type/index?signal_type=pdq")->body).contains("video_md5"));
  EXPECT_EQ(cur.Get("/c/signal_type/index?signal_type=tmk")->status, 400);
}

TEST_F(ServeTest, UploadsHashedInMemoryAndMalformedMultipartRefused) {
  Start();
  auto c = Client(submitter_);
  auto bytes = ReadFile(DataDir() + "/pdq/images/bridge-mods/aaa-orig.jpg");
  httplib::MultipartFormDataItems items = {{"photo", std::string(bytes.begin(), bytes.end()), "a.jpg", "image/jpeg"}};
  auto r = c.Post("/h/hash", items);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["pdq"], "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22");
  httplib::MultipartFormDataItems wrong = {{"document", "abc", "a.txt", "text/plain"}};
  EXPECT_EQ(c.Post("/h/hash", wrong)->status, 400);
  httplib::MultipartFormDataItems two = {{"photo", "a", "a", "x"}, {"video", "b", "b", "x"}};
  EXPECT_EQ(c.Post("/h/hash", two)->status, 400);
  // A body that claims multipart but is not.
  EXPECT_EQ(c.Post("/h/hash", "--xyz\r\ngarbage", "multipart/form-data; boundary=xyz")->status, 400);
  auto sub = c.Post("/v1/submit", std::string(bytes.begin(), bytes.end()), "application/octet-stream");
  ASSERT_EQ(sub->status, 200);
  auto sj = json::parse(sub->body);
  EXPECT_TRUE(sj["verdict"].contains("class"));
  EXPECT_EQ(sj["sha256"].get<std::string>().size(), 64u);
  // The pixel detector ran on the upload, with its heat map.
  EXPECT_TRUE(sj["detector_score"].is_number()) << sj.dump();
  EXPECT_EQ(sj["detector"]["model"], "needle-detector-v1");
  EXPECT_GE(sj["detector"]["tiles"]["rows"].get<int>(), 1);
}

TEST_F(ServeTest, SubmitMatchesAsTheCliDoesAndFindsTurnedCopiesOnRequest) {
  Start();
  auto c = Client(submitter_);
  auto cur = Client(admin_);
  const auto bytes = ReadFile(DataDir() + "/pdq/images/bridge-mods/aaa-orig.jpg");
  const std::string body(bytes.begin(), bytes.end());
  // LIVE holds the photo's bytes (MD5) and the PDQ of its pixels turned 90 degrees.
  const auto turned_png = testing::EncodePng(testing::Rotated90(testing::DecodePixels(bytes)));
  const auto turned = hash::HashBytes("turned", turned_png.data(), turned_png.size(), {});
  ASSERT_TRUE(turned.pdq);
  const std::string md5 = hash::DigestBytes(bytes.data(), bytes.size()).md5;
  ASSERT_EQ(cur.Post("/c/bank/LIVE/signal", json({{"pdq", turned.pdq->hash.ToHex()}}).dump(), "application/json")->status,
            201);
  ASSERT_EQ(cur.Post("/c/bank/LIVE/signal", json({{"video_md5", md5}}).dump(), "application/json")->status, 201);

  auto plain = json::parse(c.Post("/v1/submit", body, "application/octet-stream")->body);
  ASSERT_EQ(plain["matches"].size(), 1u) << plain.dump();  // the bytes only
  EXPECT_EQ(plain["matches"][0]["type"], "md5");
  EXPECT_EQ(plain["matches"][0]["value"], md5);  // the entry's hash, as `needle match` prints it

  auto turned_hit = c.Post("/v1/submit?dihedral=true", body, "application/octet-stream");
  ASSERT_EQ(turned_hit->status, 200);
  auto tj = json::parse(turned_hit->body);
  ASSERT_EQ(tj["matches"].size(), 2u) << tj.dump();
  const json& pdq = tj["matches"][1];
  EXPECT_EQ(pdq["type"], "pdq");
  EXPECT_EQ(pdq["variant"], "rot90");
  EXPECT_EQ(pdq["threshold"], 31);
  EXPECT_LE(pdq["distance"].get<int>(), 8);
  EXPECT_TRUE(tj.contains("pdq_dihedral"));
  bool reason_says_turned = false;
  for (const auto& r : tj["verdict"]["reasons"])
    reason_says_turned |= r.get<std::string>().find("rotated or mirrored copy: rot90") != std::string::npos;
  EXPECT_TRUE(reason_says_turned) << tj["verdict"].dump();

  EXPECT_EQ(c.Post("/v1/submit?dihedral=yes", body, "application/octet-stream")->status, 400);
}

TEST_F(ServeTest, BatchLookupAnswersAsSingleLookupsDo) {
  Start();
  auto c = Client(submitter_);
  // The reference needles (each 0-3 matches in HAY, at distances up to 31)
  // and a few HAY hashes themselves.
  std::vector<std::string> pdq;
  {
    std::ifstream in(DataDir() + "/pdq/hash-lists/needles.txt");
    std::string line;
    while (std::getline(in, line) && pdq.size() < 60)
      if (!line.empty() && line[0] != '#') pdq.push_back(line.substr(line.find_last_of(" \t") + 1));
  }
  pdq.push_back(FirstHay());
  ASSERT_GT(pdq.size(), 40u);
  auto r = c.Post("/v1/lookup", json({{"pdq", pdq}}).dump(), "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  auto batch = json::parse(r->body)["pdq"];
  ASSERT_EQ(batch.size(), pdq.size());
  size_t matched = 0;
  for (size_t i = 0; i < pdq.size(); ++i) {  // the oracle: one /m/lookup each
    auto single = json::parse(c.Get("/m/lookup?bypass_coinflip=true&signal_type=pdq&signal=" + pdq[i])->body);
    std::set<std::pair<int64_t, int>> want, got;
    for (const auto& [bank, hits] : single.items())
      for (const auto& h : hits) want.insert({h["bank_content_id"].get<int64_t>(), std::stoi(h["distance"].get<std::string>())});
    for (const auto& h : batch[i]) got.insert({h["entry"].get<int64_t>(), h["distance"].get<int>()});
    EXPECT_EQ(got, want) << pdq[i];
    matched += !got.empty();
  }
  EXPECT_GT(matched, 40u);

  // MD5 too, and the banks filter.
  auto cur = Client(admin_);
  const std::string md5 = "0123456789abcdef0123456789abcdef";
  ASSERT_EQ(cur.Post("/c/bank/LIVE/signal", json({{"video_md5", md5}}).dump(), "application/json")->status, 201);
  auto both = json::parse(c.Post("/v1/lookup", json({{"md5", {md5, std::string(32, 'f')}}, {"pdq", {FirstHay()}}}).dump(),
                                 "application/json")->body);
  EXPECT_EQ(both["md5"][0][0]["bank"], "LIVE");
  EXPECT_TRUE(both["md5"][1].empty());
  EXPECT_EQ(both["pdq"][0][0]["bank"], "HAY");
  auto only_live = json::parse(c.Post("/v1/lookup", json({{"pdq", {FirstHay()}}, {"banks", {"LIVE"}}}).dump(),
                                      "application/json")->body);
  EXPECT_TRUE(only_live["pdq"][0].empty());

  // Refused whole, with what is wrong.
  auto bad = c.Post("/v1/lookup", json({{"pdq", {FirstHay(), FirstHay(), "abc"}}}).dump(), "application/json");
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("pdq[2]"), std::string::npos) << bad->body;
  for (const std::string b : {"[1,2]", "{\"pdq\": \"abc\"}", "{\"pdq\": [7]}", "{\"md5\": [\"xyz\"]}",
                              "{\"banks\": \"HAY\"}", "not json"})
    EXPECT_EQ(c.Post("/v1/lookup", b, "application/json")->status, 400) << b;
  EXPECT_EQ(c.Post("/v1/lookup", json({{"pdq", std::vector<std::string>(10001, FirstHay())}}).dump(),
                   "application/json")->status, 400);
  EXPECT_EQ(httplib::Client("127.0.0.1", port_).Post("/v1/lookup", "{}", "application/json")->status, 401);
}

TEST_F(ServeTest, VideoMd5IsHmasSecondSignalType) {
  // HMA's defaults are pdq and video_md5: a client hashing, banking and
  // looking up videos works unchanged.
  Start();
  auto sub = Client(submitter_);
  auto cur = Client(admin_);
  using namespace std::string_literals;  // the bytes start with NULs: keep them
  const std::string video = "\x00\x00\x00\x18" "ftypmp42 not really a movie, just bytes"s;
  const std::string md5 = hash::DigestBytes(reinterpret_cast<const uint8_t*>(video.data()), video.size()).md5;
  httplib::MultipartFormDataItems up = {{"video", video, "v.mp4", "video/mp4"}};
  auto h = sub.Post("/h/hash", up);
  ASSERT_EQ(h->status, 200) << h->body;
  EXPECT_EQ(json::parse(h->body), json({{"video_md5", md5}}));

  // Banked through the signal API; live at once, by GET, raw and POST lookups.
  auto added = cur.Post("/c/bank/LIVE/signal", json{{"video_md5", md5}}.dump(), "application/json");
  ASSERT_EQ(added->status, 201) << added->body;
  auto aj = json::parse(added->body);
  EXPECT_EQ(aj["signals"]["video_md5"], md5);
  const int64_t id = aj["id"];
  auto got = json::parse(sub.Get("/m/lookup?signal_type=video_md5&bypass_coinflip=true&signal=" + md5)->body);
  ASSERT_EQ(got["LIVE"].size(), 1u) << got.dump();
  EXPECT_EQ(got["LIVE"][0]["bank_content_id"], id);
  EXPECT_EQ(got["LIVE"][0]["distance"], "0");
  auto raw = json::parse(sub.Get("/m/raw_lookup?signal_type=video_md5&signal=" + md5)->body);
  EXPECT_EQ(raw["matches"], json::array({id}));
  auto post = sub.Post("/m/lookup?bypass_coinflip=true", up);
  ASSERT_EQ(post->status, 200) << post->body;
  EXPECT_EQ(json::parse(post->body)["video_md5"]["LIVE"][0]["bank_content_id"], id);
  auto content = json::parse(cur.Get("/c/bank/LIVE/content/" + std::to_string(id) + "?include_signals=true")->body);
  EXPECT_EQ(content["signals"]["video_md5"], md5);

  // Another file, other signal types and malformed values.
  EXPECT_TRUE(json::parse(sub.Get("/m/lookup?signal_type=video_md5&signal=" + std::string(32, '0'))->body).empty());
  EXPECT_EQ(sub.Get("/m/lookup?signal_type=video_md5&signal=abc")->status, 400);
  EXPECT_EQ(sub.Get("/m/lookup?signal_type=tmk_pdqf&signal=" + md5)->status, 400);
  EXPECT_EQ(sub.Get("/m/raw_lookup?signal_type=video_md5&signal=xyz")->status, 400);
  EXPECT_EQ(cur.Post("/c/bank/LIVE/signal", "{\"video_md5\": 5}", "application/json")->status, 400);
  EXPECT_EQ(cur.Post("/c/bank/LIVE/signal", "{}", "application/json")->status, 400);
}

TEST_F(ServeTest, BodyLimitAndMetrics) {
  ServeOptions o;
  o.max_body_bytes = 1000;
  Start(o);
  auto c = Client(submitter_);
  EXPECT_EQ(c.Post("/v1/submit", std::string(5000, 'x'), "application/octet-stream")->status, 413);
  c.Get("/m/lookup?signal_type=pdq&signal=" + FirstHay());
  auto m = c.Get("/v1/metrics");
  EXPECT_NE(m->body.find("needle_requests_total{route=\"/m/lookup\",status=\"200\"}"), std::string::npos);
  EXPECT_NE(m->body.find("needle_index_size 1350"), std::string::npos);
  EXPECT_NE(m->body.find("needle_request_seconds_bucket"), std::string::npos);
}

TEST_F(ServeTest, MappedIndexAnswersLikeTheResidentCopy) {
  {  // a current snapshot on disk, as a restarted service finds it
    auto s = store::BankStore::Open(dir_.File("store"), false);
    ASSERT_TRUE(s.ok());
    auto m = banks::Matcher::Open(**s);
    ASSERT_TRUE(m.ok());
  }
  ServeOptions o = FourWorkers();
  o.resident_index = false;
  Start(o);
  auto r = Client(submitter_).Get("/m/lookup?bypass_coinflip=true&signal_type=pdq&signal=" + FirstHay());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto hay = json::parse(r->body)["HAY"];
  ASSERT_FALSE(hay.empty());
  EXPECT_EQ(hay[0]["distance"], "0");
}

TEST_F(ServeTest, FloodControlQuarantinesUntilConfirmed) {
  ServeOptions o;
  o.flood_limit = 3;
  Start(o);
  auto c = Client(submitter_);
  const std::string q = "/m/lookup?signal_type=pdq&signal=" + FirstHay();
  json last;
  for (int i = 0; i < 5; ++i) last = json::parse(c.Get(q)->body);
  EXPECT_EQ(last["HAY"][0].value("quarantined", false), true);
  auto list = json::parse(Client(admin_).Get("/v1/quarantine")->body);
  ASSERT_FALSE(list["quarantined"].empty());
  int64_t id = list["quarantined"][0];
  EXPECT_EQ(Client(admin_).Post("/v1/quarantine/" + std::to_string(id) + "/confirm", "", "application/json")->status, 200);
  // Confirming again, or an entry never quarantined, changes nothing and says so.
  EXPECT_EQ(Client(admin_).Post("/v1/quarantine/" + std::to_string(id) + "/confirm", "", "application/json")->status, 404);
  EXPECT_EQ(Client(admin_).Post("/v1/quarantine/" + std::to_string(987654321) + "/confirm", "", "application/json")->status, 404);
  last = json::parse(c.Get(q)->body);
  EXPECT_FALSE(last["HAY"][0].value("quarantined", false));
}

TEST_F(ServeTest, FloodControlCountsASubmittedFileOnceWhateverMatchedIt) {
  ServeOptions o;
  o.flood_limit = 2;
  Start(o);
  const auto bytes = ReadFile(DataDir() + "/pdq/images/bridge-mods/aaa-orig.jpg");
  const std::string body(bytes.begin(), bytes.end());
  // One entry that holds both the file's MD5 and its PDQ.
  const json both = {{"pdq", "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"},
                     {"video_md5", hash::DigestBytes(bytes.data(), bytes.size()).md5}};
  ASSERT_EQ(Client(admin_).Post("/c/bank/LIVE/signal", both.dump(), "application/json")->status, 201);
  auto c = Client(submitter_);
  auto flags = [&] {
    auto j = json::parse(c.Post("/v1/submit", body, "application/octet-stream")->body);
    std::vector<bool> q;
    for (const auto& m : j["matches"]) q.push_back(m.value("quarantined", false));
    return q;
  };
  EXPECT_EQ(flags(), std::vector<bool>({false, false}));  // md5 and pdq: one match of the entry
  EXPECT_EQ(flags(), std::vector<bool>({false, false}));  // two: at the limit, not past it
  EXPECT_EQ(flags(), std::vector<bool>({true, true}));    // three: quarantined, both matches say so
}

TEST_F(ServeTest, BankChangesAreLiveAndAudited) {
  Start();
  auto admin = Client(admin_);
  const std::string h = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  auto add = admin.Post("/c/bank/LIVE/signal", json{{"pdq", h}}.dump(), "application/json");
  ASSERT_EQ(add->status, 201) << add->body;
  int64_t id = json::parse(add->body)["id"];
  auto found = json::parse(Client(submitter_).Get("/m/lookup?signal_type=pdq&signal=" + h)->body);
  ASSERT_TRUE(found.contains("LIVE"));
  EXPECT_EQ(found["LIVE"][0]["bank_content_id"], id);
  auto banks = json::parse(Client(submitter_).Get("/v1/banks")->body);
  auto live = std::find_if(banks.begin(), banks.end(), [](const json& b) { return b["name"] == "LIVE"; });
  ASSERT_NE(live, banks.end());
  EXPECT_EQ((*live)["entries"], 1);  // counts follow live adds
  EXPECT_EQ(admin.Delete("/c/bank/LIVE/content/" + std::to_string(id))->status, 200);
  found = json::parse(Client(submitter_).Get("/m/lookup?signal_type=pdq&signal=" + h)->body);
  EXPECT_FALSE(found.contains("LIVE"));
  EXPECT_EQ(admin.Post("/c/banks", json{{"name", "HAY"}}.dump(), "application/json")->status, 403);  // exists
  EXPECT_EQ(admin.Post("/c/banks", json{{"name", "NEW_BANK"}}.dump(), "application/json")->status, 201);
  stop_ = true;
  server_.join();
  auto s = store::BankStore::Open(dir_.File("store"), false);
  auto audit = (*s)->VerifyAudit();
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->ok);
  EXPECT_GE(audit->entries, 6);  // 3 tokens, add, delete, create
}

TEST_F(ServeTest, BankRenamedAndUpdatedTogetherOrNotAtAll) {
  // HMA's PUT /c/bank/<name> may rename; a bad field is refused (400), not
  // ignored, and a refused request changes nothing.
  Start();
  auto cur = Client(admin_);
  const std::string h = "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff";
  auto add = cur.Post("/c/bank/LIVE/signal", json{{"pdq", h}}.dump(), "application/json");
  ASSERT_EQ(add->status, 201) << add->body;
  const int64_t id = json::parse(add->body)["id"];
  EXPECT_EQ(cur.Put("/c/bank/LIVE", json{{"name", "HAY"}}.dump(), "application/json")->status, 403);  // taken
  EXPECT_EQ(cur.Put("/c/bank/LIVE", json{{"name", "bad name!"}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Put("/c/bank/LIVE", json{{"enabled_ratio", "half"}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Put("/c/bank/LIVE", json{{"enabled", 1}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Put("/c/bank/LIVE", json{{"name", "RENAMED"}, {"enabled_ratio", 2.0}}.dump(), "application/json")->status,
            400);
  EXPECT_EQ(cur.Get("/c/bank/RENAMED")->status, 404);  // the rename was rolled back with the bad ratio
  auto live = json::parse(cur.Get("/c/bank/LIVE")->body);
  EXPECT_EQ(live["matching_enabled_ratio"], 1.0);

  auto put = cur.Put("/c/bank/LIVE", json{{"name", "RENAMED"}, {"enabled_ratio", 0.5}}.dump(), "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(json::parse(put->body), json({{"name", "RENAMED"}, {"matching_enabled_ratio", 0.5}}));
  EXPECT_EQ(cur.Get("/c/bank/LIVE")->status, 404);
  EXPECT_EQ(cur.Get("/c/bank/RENAMED")->status, 200);
  auto found = json::parse(Client(submitter_).Get("/m/lookup?bypass_coinflip=true&signal_type=pdq&signal=" + h)->body);
  ASSERT_TRUE(found.contains("RENAMED")) << found.dump();  // its entries follow it, live
  EXPECT_EQ(found["RENAMED"][0]["bank_content_id"], id);
  EXPECT_EQ(cur.Get("/c/bank/RENAMED/content/" + std::to_string(id))->status, 200);

  // HMA also takes the ratio as a numeric string and enabled as "true"/"false".
  auto made = cur.Post("/c/banks", json{{"name", "S1"}, {"enabled_ratio", "0.25"}}.dump(), "application/json");
  ASSERT_EQ(made->status, 201) << made->body;
  EXPECT_EQ(json::parse(made->body)["matching_enabled_ratio"], 0.25);
  made = cur.Post("/c/banks", json{{"name", "S2"}, {"enabled", "false"}}.dump(), "application/json");
  ASSERT_EQ(made->status, 201) << made->body;
  EXPECT_EQ(json::parse(made->body)["matching_enabled_ratio"], 0.0);  // disabled
  EXPECT_EQ(cur.Post("/c/banks", json{{"name", "S3"}, {"enabled_ratio", "most"}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Post("/c/banks", json{{"name", "S3"}, {"enabled_ratio", 1.5}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Post("/c/banks", json{{"name", "S3"}, {"enabled", "maybe"}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Post("/c/banks", json::array({"S3"}).dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Get("/c/bank/S3")->status, 404);  // none of those made it
  EXPECT_EQ(cur.Put("/c/bank/S1", json{{"pdq_threshold", 4294967297LL}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Put("/c/bank/S1", json{{"enabled", "true"}, {"enabled_ratio", "1"}}.dump(), "application/json")->status,
            200);
}

TEST_F(ServeTest, ContentMetadataComesBackInHmasShape) {
  Start();
  auto cur = Client(admin_);
  auto bytes = ReadFile(DataDir() + "/pdq/images/bridge-mods/aaa-orig.jpg");
  const json meta = {{"content_id", "upload-17"}, {"content_uri", "https://example.org/17"}, {"json", {{"k", 1}}}};
  httplib::MultipartFormDataItems items = {{"photo", std::string(bytes.begin(), bytes.end()), "a.jpg", "image/jpeg"},
                                           {"metadata", meta.dump(), "", "application/json"},
                                           {"note", "seen in report 5", "", "text/plain"}};
  auto add = cur.Post("/c/bank/LIVE/content", items);
  ASSERT_EQ(add->status, 201) << add->body;
  const int64_t id = json::parse(add->body)["id"];
  auto got = json::parse(cur.Get("/c/bank/LIVE/content/" + std::to_string(id))->body);
  EXPECT_EQ(got["metadata"]["content_id"], "upload-17");
  EXPECT_EQ(got["metadata"]["content_uri"], "https://example.org/17");
  EXPECT_EQ(got["metadata"]["json"], json({{"k", 1}}));
  EXPECT_EQ(got["metadata"]["collab"], json::object());
  EXPECT_EQ(got["note"], "seen in report 5");
  EXPECT_FALSE(json::parse(cur.Get("/c/bank/LIVE/content/" + std::to_string(id) + "?include_metadata=false")->body)
                   .contains("metadata"));
  // Metadata that is not an object is refused, and nothing is banked.
  httplib::MultipartFormDataItems bad = {{"photo", std::string(bytes.begin(), bytes.end()), "a.jpg", "image/jpeg"},
                                         {"metadata", "[1, 2]", "", "application/json"}};
  EXPECT_EQ(cur.Post("/c/bank/LIVE/content", bad)->status, 400);
  bad[1].content = "{not json";
  EXPECT_EQ(cur.Post("/c/bank/LIVE/content", bad)->status, 400);
  auto banks = json::parse(Client(submitter_).Get("/v1/banks")->body);
  for (const auto& b : banks) {
    if (b["name"] == "LIVE") {
      EXPECT_EQ(b["entries"], 1);
    }
  }
}

TEST_F(ServeTest, ContentDisabledUntilATimeIsNotMatched) {
  // HMA's PUT /c/bank/<name>/content/<id>: a curator disables an entry (a
  // false positive, say) until a time; /m/lookup drops it, raw_lookup does
  // not, and it matches again once enabled. The state survives a restart.
  Start();
  auto cur = Client(admin_);
  auto sub = Client(submitter_);
  const std::string h = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
  const std::string md5 = "00112233445566778899aabbccddeeff";
  auto add = cur.Post("/c/bank/LIVE/signal", json{{"pdq", h}, {"video_md5", md5}}.dump(), "application/json");
  ASSERT_EQ(add->status, 201) << add->body;
  const int64_t id = json::parse(add->body)["id"];
  const std::string path = "/c/bank/LIVE/content/" + std::to_string(id);
  const std::string q = "/m/lookup?bypass_coinflip=true&signal_type=pdq&signal=" + h;
  const std::string qv = "/m/lookup?bypass_coinflip=true&signal_type=video_md5&signal=" + md5;
  auto matched = [&](const std::string& query) {  // a new client: the port changes on restart
    return json::parse(Client(submitter_).Get(query)->body).contains("LIVE");
  };
  ASSERT_TRUE(matched(q));
  ASSERT_TRUE(matched(qv));

  const int64_t until = int64_t(std::time(nullptr)) + 3600;
  auto put = cur.Put(path, json{{"disable_until_ts", until}, {"note", "matches a stock photo"}}.dump(), "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  auto pj = json::parse(put->body);
  EXPECT_EQ(pj["id"], id);
  EXPECT_EQ(pj["disable_until_ts"], until);
  EXPECT_EQ(pj["note"], "matches a stock photo");
  EXPECT_EQ(pj["bank"]["name"], "LIVE");
  EXPECT_EQ(json::parse(cur.Get(path)->body)["disable_until_ts"], until);
  EXPECT_FALSE(matched(q));
  EXPECT_FALSE(matched(qv));
  EXPECT_EQ(json::parse(sub.Get("/m/raw_lookup?signal_type=pdq&signal=" + h)->body)["matches"], json::array({id}));

  // Malformed or out-of-range updates change nothing.
  EXPECT_EQ(cur.Put(path, "{}", "application/json")->status, 400);
  EXPECT_EQ(cur.Put(path, "not json", "application/json")->status, 400);
  EXPECT_EQ(cur.Put(path, json{{"disable_until_ts", -1}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Put(path, json{{"disable_until_ts", "soon"}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Put(path, json{{"disable_until_ts", until + 6 * 31'556'952LL}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Put(path, json{{"note", 5}}.dump(), "application/json")->status, 400);
  EXPECT_EQ(cur.Put("/c/bank/HAY/content/" + std::to_string(id), json{{"disable_until_ts", 0}}.dump(),
                    "application/json")->status, 404);  // not that bank's
  EXPECT_EQ(cur.Put("/c/bank/LIVE/content/987654321", json{{"disable_until_ts", 0}}.dump(), "application/json")->status,
            404);
  EXPECT_EQ(sub.Put(path, json{{"disable_until_ts", 0}}.dump(), "application/json")->status, 403);
  EXPECT_FALSE(matched(q));

  // Still disabled after a restart (the store keeps it; the matcher reloads it).
  stop_ = true;
  server_.join();
  stop_ = false;
  {
    auto s = store::BankStore::Open(dir_.File("store"), false);
    ASSERT_TRUE(s.ok());
    auto m = banks::Matcher::Open(**s);
    ASSERT_TRUE(m.ok());
    auto hits = (*m)->LookupPdq(*hash::Hash256::FromHex(h), std::nullopt);
    ASSERT_TRUE(hits.ok());
    EXPECT_TRUE(hits->empty());  // the CLI's lookups drop it too
  }
  Start();
  auto cur2 = Client(admin_);
  EXPECT_FALSE(matched(q));
  auto on = cur2.Put(path, json{{"disable_until_ts", 0}}.dump(), "application/json");
  ASSERT_EQ(on->status, 200) << on->body;
  EXPECT_EQ(json::parse(on->body)["note"], "matches a stock photo");  // kept: only the time was sent
  EXPECT_TRUE(matched(q));
  EXPECT_TRUE(matched(qv));
}

TEST_F(ServeTest, ConcurrentBankUpdatesNeverLoseOrInventMatches) {
  Start();
  // Stable entries (the haystack) must always be found; entries being added
  // and removed in LIVE must never appear after their delete returned.
  std::vector<std::string> stable;
  std::ifstream in(DataDir() + "/pdq/hash-lists/haystack.txt");
  for (std::string l; std::getline(in, l) && stable.size() < 50;) stable.push_back(l.substr(l.find_last_of(' ') == std::string::npos ? 0 : l.find_last_of(' ') + 1));
  std::atomic<bool> done{false};
  std::atomic<int> missing{0}, lookups{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&, t] {
      auto c = Client(submitter_);
      for (size_t i = t; !done; i = (i + 3) % stable.size()) {
        auto r = c.Get("/m/lookup?signal_type=pdq&signal=" + stable[i] + "&bypass_coinflip=true");
        if (!r || r->status != 200 || !json::parse(r->body).contains("HAY")) ++missing;
        ++lookups;
      }
    });
  auto admin = Client(admin_);
  int ghost = 0;
  for (int k = 0; k < 60; ++k) {
    char buf[65];
    std::snprintf(buf, sizeof buf, "%016x%016x%016x%016x", 0xabc00000u + k, 0x12345u * k, 0xffff0000u - k, k * 7919u);
    std::string h = buf;
    auto add = admin.Post("/c/bank/LIVE/signal", json{{"pdq", h}}.dump(), "application/json");
    ASSERT_EQ(add->status, 201);
    int64_t id = json::parse(add->body)["id"];
    ASSERT_EQ(admin.Delete("/c/bank/LIVE/content/" + std::to_string(id))->status, 200);
    auto r = json::parse(Client(submitter_).Get("/m/lookup?signal_type=pdq&signal=" + h + "&bypass_coinflip=true")->body);
    if (r.contains("LIVE")) ++ghost;
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(missing.load(), 0) << "of " << lookups.load() << " lookups";
  EXPECT_EQ(ghost, 0);
  EXPECT_GT(lookups.load(), 100);
}

TEST_F(ServeTest, ReviewQueueDecisionsPersistAndExport) {
  // A small case to review.
  auto r = RunNeedle({"scan", SourceDir() + "/samples", "--case", dir_.File("case"), "--store", dir_.File("none"), "-q"});
  ServeOptions o;
  o.case_dir = dir_.File("case");
  Start(o);
  auto c = Client(reviewer_);
  auto items = json::parse(c.Get("/v1/case/items")->body);
  ASSERT_GE(items.size(), 10u);
  EXPECT_EQ(items[0]["class"], "camera-likely");  // priority order
  int64_t clustered = 0;
  for (auto& it : items)
    if (it["cluster"].get<int64_t>() != 0) clustered = it["id"];
  ASSERT_NE(clustered, 0);
  auto d = c.Post("/v1/case/items/" + std::to_string(clustered) + "/decision",
                  json{{"category", "5"}, {"scope", "cluster"}, {"note", "non-pertinent"}}.dump(), "application/json");
  ASSERT_EQ(d->status, 200) << d->body;
  EXPECT_GE(json::parse(d->body)["updated"].get<int>(), 2);
  EXPECT_EQ(c.Post("/v1/case/items/1/decision", json{{"category", "Z"}}.dump(), "application/json")->status, 400);
  auto thumb = c.Get("/v1/case/items/" + std::to_string(items[0]["id"].get<int64_t>()) + "/thumbnail");
  EXPECT_EQ(thumb->status, 200);
  EXPECT_EQ(thumb->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(c.Get("/v1/case/items/987654321/thumbnail")->status, 404);
  auto vics = json::parse(c.Get("/v1/case/export/vics")->body);
  int cat5 = 0;
  for (auto& m : vics["value"]) cat5 += m["Category"] == 5;
  EXPECT_GE(cat5, 2);
  EXPECT_EQ(c.Put("/v1/review/settings", json{{"reveal", "clear"}}.dump(), "application/json")->status, 200);
  EXPECT_EQ(json::parse(c.Get("/v1/review/config")->body)["settings"]["reveal"], "clear");
  EXPECT_EQ(RunNeedle({"audit", "verify", "--case", dir_.File("case")}).exit_code, 0);
}

}  // namespace
}  // namespace needle::serve
