// C2PA against the shared cross-check (expected_summary.json), the local
// fixtures, and hostile input.
//
// Where the two reference validators disagree we follow c2pa-rs, and say so:
// - CACA.jpg, C_with_CAWG_data.jpg: c2pa-ts 0.9.4 reports
//   signingCredential.invalid for the c2pa-rs test certificate (a profile
//   check); the signature itself verifies, so needle reports
//   claimSignature.validated and judges trust separately (untrusted without
//   anchors, trusted with the test roots).
// - ocsp.jpg: c2pa-ts reports assertion.action.ingredientMismatch for a v1
//   action without an ingredient link; c2pa-rs accepts it, as does needle.
// - CIE-sig-CA.jpg: only deep validators look inside ingredient manifests;
//   needle validates every manifest in the store and reports the broken
//   ingredient signature on that manifest, while the active one is valid.
#include "provenance/c2pa_reader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <set>

#include "test_support.h"

namespace needle::provenance {
namespace {

using ::needle::testing::DataDir;
using ::needle::testing::ReadFile;

C2paReport Read(const std::string& path, const std::string& anchors = "") {
  auto b = ReadFile(path);
  return ReadC2pa(b.data(), b.size(), C2paOptions{anchors});
}

bool Has(const C2paManifest& m, const std::string& code) {
  return std::find(m.status_codes.begin(), m.status_codes.end(), code) != m.status_codes.end();
}

TEST(C2paTest, AgreesWithTheCrossCheckOnEveryVector) {
  NEEDLE_REQUIRE_SHARED_OR_SKIP(shared);
  const std::string dir = shared + "/vectors/c2pa/";
  auto summary = nlohmann::json::parse(std::ifstream(dir + "expected_summary.json"));
  int checked = 0;
  for (const auto& f : summary["files"]) {
    const std::string name = f["file"];
    if (name.size() > 5 && name.substr(name.size() - 5) == ".c2pa") continue;  // sidecar: no asset
    std::string path;
    for (const char* sub : {"c2pa-rs/", "c2pa-ts/", "public-testfiles/"})
      if (std::ifstream(dir + sub + name)) path = dir + sub + name;
    ASSERT_FALSE(path.empty()) << name;
    C2paReport r = Read(path);
    const nlohmann::json ms = f.value("manifests", nlohmann::json::array());
    EXPECT_EQ(r.present, !ms.empty()) << name;
    if (ms.empty()) continue;
    ASSERT_EQ(r.manifests.size(), ms.size()) << name;
    for (size_t i = 0; i < ms.size(); ++i) {
      const auto& want = ms[i];
      const C2paManifest& got = r.manifests[i];
      EXPECT_EQ(got.label, want["label"]) << name;
      EXPECT_EQ(got.active, want["active"].get<bool>()) << name;
      std::set<std::string> dst_w, dst_g(got.digital_source_types.begin(), got.digital_source_types.end());
      const nlohmann::json dsts = want.value("digitalSourceType", nlohmann::json::array());
      for (const auto& d : dsts) {
        std::string s = d;
        s.erase(0, s.find_first_not_of(' '));
        dst_w.insert(s);
      }
      EXPECT_EQ(dst_g, dst_w) << name << " manifest " << i;
      if (want.contains("signature") && want["signature"].contains("sig_ok")) {
        EXPECT_EQ(Has(got, "claimSignature.validated"), want["signature"]["sig_ok"].get<bool>()) << name << " " << i;
        if (want["signature"].contains("alg") && want["signature"]["sig_ok"].get<bool>())
          EXPECT_EQ(got.alg, want["signature"]["alg"]) << name;
      }
      const nlohmann::json uris = want.value("hashed_uris", nlohmann::json::object());
      for (auto& [label, res] : uris.items()) {
        if (res == "mismatch") EXPECT_TRUE(Has(got, "assertion.hashedURI.mismatch")) << name << " " << label;
      }
      if (want.contains("hard_binding")) {
        std::string hb = want["hard_binding"].value("result", "");
        if (hb == "match") EXPECT_TRUE(Has(got, "assertion.dataHash.match")) << name;
        if (hb == "MISMATCH") EXPECT_TRUE(Has(got, "assertion.dataHash.mismatch")) << name;
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 17);
}

TEST(C2paTest, LocalFixturesAndTrustAnchors) {
  const std::string d = DataDir() + "/c2pa/";
  C2paReport c = Read(d + "C.jpg");
  ASSERT_TRUE(c.present);
  ASSERT_EQ(c.manifests.size(), 1u);
  const auto& m = c.manifests[0];
  EXPECT_TRUE(Has(m, "claimSignature.validated"));
  EXPECT_TRUE(Has(m, "assertion.dataHash.match"));
  EXPECT_TRUE(Has(m, "assertion.hashedURI.match"));
  EXPECT_TRUE(Has(m, "signingCredential.untrusted"));  // nothing trusted by default
  EXPECT_EQ(m.alg, "PS256");
  EXPECT_EQ(m.claim_generator, "make_test_images/0.33.1 c2pa-rs/0.33.1");
  EXPECT_NE(m.signer.find("C2PA Signer"), std::string::npos);
  C2paReport t = Read(d + "C.jpg", d + "test_cert_root_bundle.pem");
  EXPECT_TRUE(Has(t.manifests[0], "signingCredential.trusted"));

  C2paReport x = Read(d + "XCA.jpg");
  EXPECT_TRUE(Has(x.manifests.back(), "assertion.dataHash.mismatch"));
  EXPECT_TRUE(Has(x.manifests.back(), "claimSignature.validated"));
  auto fx = C2paFindings(x);
  ASSERT_FALSE(fx.empty());
  EXPECT_EQ(fx[0].direction, Direction::kEdited);
  EXPECT_NE(fx[0].summary.find("data hash mismatch"), std::string::npos);

  C2paReport e = Read(d + "E-sig-CA.jpg");
  EXPECT_TRUE(Has(e.manifests.back(), "claimSignature.mismatch"));
  EXPECT_FALSE(Read(d + "no_manifest.jpg").present);
  C2paReport ts = Read(d + "trustnxt-icon-signed-timestamp.jpg");
  EXPECT_TRUE(Has(ts.manifests.back(), "claimSignature.validated"));
  EXPECT_EQ(ts.manifests.back().alg, "ES256");
}

TEST(C2paTest, TimeStampsV1AndV2AndValidityAtSigningTime) {
  const std::string d = DataDir() + "/c2pa/";
  C2paReport v1 = Read(d + "C.jpg", d + "test_cert_root_bundle.pem");
  EXPECT_TRUE(Has(v1.manifests.back(), "timeStamp.validated"));  // sigTst: imprint over the claim
  EXPECT_EQ(v1.manifests.back().details["timestamp"]["gen_time"], "2024-08-06T21:53:37Z");
  C2paReport v2 = Read(d + "trustnxt-icon-signed-timestamp.jpg");
  // sigTst2 holding a whole TimeStampResp: the imprint (over the signature) matches.
  EXPECT_EQ(v2.manifests.back().details["timestamp"]["imprint"], "match");
  C2paReport bad = Read(d + "E-sig-CA.jpg");  // claim altered: the v1 imprint fails too
  EXPECT_TRUE(Has(bad.manifests.back(), "timeStamp.mismatch"));

  NEEDLE_REQUIRE_SHARED_OR_SKIP(shared);
  const std::string bundle = "/etc/ssl/certs/ca-certificates.crt";
  if (!std::ifstream(bundle)) GTEST_SKIP() << "no system CA bundle";
  // Amazon's leaf expired in 2025 but was time-stamped in 2024: trusted at signing time.
  C2paReport amazon = Read(shared + "/vectors/c2pa/c2pa-ts/amazon-titan-g1.png", bundle);
  EXPECT_TRUE(Has(amazon.manifests.back(), "signingCredential.trusted"));
  auto f = C2paFindings(amazon);
  EXPECT_EQ(f[0].direction, Direction::kSynthetic);
  EXPECT_EQ(f[0].strength, Strength::kDecisive);
  // Nikon's certificate expired in 2023 and there is no time-stamp.
  C2paReport nikon = Read(shared + "/vectors/c2pa/public-testfiles/nikon-20221019-building.jpeg", bundle);
  EXPECT_TRUE(Has(nikon.manifests.back(), "signingCredential.expired"));
}

TEST(C2paTest, HostileStoresGiveCleanResults) {
  auto good = ReadFile(DataDir() + "/c2pa/C.jpg");
  // Truncation at many points and random corruption inside the store
  // (APP11 segment at offset 20, 45884 bytes): never a crash or a hang.
  for (size_t cut = 0; cut < 46000; cut += 997) {
    std::vector<uint8_t> b(good.begin(), good.begin() + std::min(cut, good.size()));
    C2paReport r = ReadC2pa(b.data(), b.size(), {});
    if (r.present && r.error.empty()) {
      for (const auto& m : r.manifests) EXPECT_FALSE(m.status_codes.empty());
    }
  }
  std::mt19937 rng(17);
  for (int i = 0; i < 400; ++i) {
    auto b = good;
    for (int k = 0; k < 1 + int(rng() % 8); ++k) b[20 + rng() % 45884] ^= uint8_t(1 + rng() % 255);
    C2paReport r = ReadC2pa(b.data(), b.size(), {});
    (void)C2paFindings(r);
    (void)ToJson(r);
  }
  // A JUMBF superbox whose length runs past the file, and a deep nest.
  std::vector<uint8_t> raw = {0, 0, 0x10, 0, 'j', 'u', 'm', 'b'};
  EXPECT_FALSE(ReadC2pa(raw.data(), raw.size(), {}).error.empty());
  std::vector<uint8_t> deep;
  for (int i = 0; i < 40; ++i) {
    uint32_t len = 8 * (40 - i);
    deep.insert(deep.end(), {uint8_t(len >> 24), uint8_t(len >> 16), uint8_t(len >> 8), uint8_t(len), 'j', 'u', 'm', 'b'});
  }
  EXPECT_FALSE(ReadC2pa(deep.data(), deep.size(), {}).error.empty());
}

}  // namespace
}  // namespace needle::provenance
