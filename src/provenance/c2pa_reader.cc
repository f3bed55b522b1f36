#include "provenance/c2pa_reader.h"

#include <openssl/evp.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "hash/digest.h"
#include "media/containers.h"
#include "provenance/cbor_value.h"

namespace needle::provenance {
namespace {

constexpr size_t kMaxStore = size_t(64) << 20;
constexpr int kMaxDepth = 16;
constexpr size_t kMaxBoxes = 100000;

uint32_t Be32(const uint8_t* p) { return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3]; }
uint64_t Be64(const uint8_t* p) { return (uint64_t(Be32(p)) << 32) | Be32(p + 4); }

// ---------------------------------------------------------------- JUMBF

struct JBox {
  std::string type;        // TBox
  size_t start = 0, hdr = 0, end = 0;  // in the store buffer
  std::string desc;        // jumb: 4-character type from the jumd UUID ("c2ma", "cbor"...)
  std::string label;
  std::vector<JBox> children;
};

struct JumbfParser {
  const uint8_t* d;
  size_t n;
  size_t boxes = 0;

  Status Parse(size_t pos, size_t end, int depth, std::vector<JBox>* out) {
    if (depth > kMaxDepth) return Corrupt("JUMBF nested deeper than 16");
    while (pos < end) {
      if (end - pos < 8) return Corrupt("JUMBF box header runs past its parent");
      if (++boxes > kMaxBoxes) return Corrupt("too many JUMBF boxes");
      JBox b;
      b.start = pos;
      uint64_t len = Be32(d + pos);
      b.type.assign(reinterpret_cast<const char*>(d + pos + 4), 4);
      b.hdr = 8;
      if (len == 1) {
        if (end - pos < 16) return Corrupt("JUMBF XLBox runs past its parent");
        len = Be64(d + pos + 8);
        b.hdr = 16;
      } else if (len == 0) {
        len = end - pos;
      }
      if (len < b.hdr || len > end - pos) return Corrupt("JUMBF box '" + b.type + "' length runs past its parent");
      b.end = pos + size_t(len);
      if (b.type == "jumb") NEEDLE_RETURN_IF_ERROR(ParseSuper(&b, depth));
      out->push_back(std::move(b));
      pos += size_t(len);
    }
    return Status::Ok();
  }

  Status ParseSuper(JBox* b, int depth) {
    std::vector<JBox> kids;
    NEEDLE_RETURN_IF_ERROR(Parse(b->start + b->hdr, b->end, depth + 1, &kids));
    if (kids.empty() || kids[0].type != "jumd") return Corrupt("JUMBF superbox without a description box");
    const JBox& dsc = kids[0];
    const uint8_t* p = d + dsc.start + dsc.hdr;
    size_t len = dsc.end - dsc.start - dsc.hdr;
    if (len < 17) return Corrupt("JUMBF description box too short");
    for (int i = 0; i < 4; ++i) b->desc += std::isprint(p[i]) ? char(p[i]) : '?';
    uint8_t toggles = p[16];
    if (toggles & 0x02) {
      const uint8_t* z = static_cast<const uint8_t*>(std::memchr(p + 17, 0, len - 17));
      if (!z) return Corrupt("JUMBF label is not NUL-terminated");
      b->label.assign(reinterpret_cast<const char*>(p + 17), size_t(z - (p + 17)));
    }
    kids.erase(kids.begin());
    b->children = std::move(kids);
    return Status::Ok();
  }
};

const JBox* ContentBox(const JBox& b, const char* type) {
  for (const auto& c : b.children)
    if (c.type == type) return &c;
  return nullptr;
}

// ---------------------------------------------------------------- locating the store

struct Located {
  std::vector<uint8_t> store;
  std::string container;
  int stores = 0;
  std::string error;
};

void LocateJpeg(const uint8_t* d, size_t n, Located* out) {
  size_t p = 2;
  bool collecting = false;
  uint16_t en = 0;
  uint32_t zlast = 0;
  while (p + 4 <= n && d[p] == 0xFF) {
    uint8_t m = d[p + 1];
    if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { p += 2; continue; }
    if (m == 0xDA || m == 0xD9) break;
    if (m == 0xFF) { ++p; continue; }
    size_t len = (size_t(d[p + 2]) << 8) | d[p + 3];
    if (len < 2 || p + 2 + len > n) break;
    const uint8_t* c = d + p + 4;
    size_t cl = len - 2;
    if (m == 0xEB && cl >= 16 && c[0] == 'J' && c[1] == 'P') {
      uint16_t sen = uint16_t((c[2] << 8) | c[3]);
      uint32_t z = Be32(c + 4);
      bool is_start = std::memcmp(c + 12, "jumb", 4) == 0 && cl >= 28 &&
                      (std::memcmp(c + 24, "c2pa", 4) == 0 || (Be32(c + 8) == 1 && cl >= 36 && std::memcmp(c + 32, "c2pa", 4) == 0));
      if (!collecting && is_start) {
        collecting = true;
        en = sen;
        zlast = z;
        out->stores++;
        out->container = "jpeg-app11";
        out->store.insert(out->store.end(), c + 8, c + cl);
      } else if (collecting && sen == en) {
        if (z <= zlast) { out->error = "APP11 segments out of order"; return; }
        zlast = z;
        size_t skip = Be32(c + 8) == 1 ? 24 : 16;
        if (cl > skip) out->store.insert(out->store.end(), c + skip, c + cl);
      } else if (is_start) {
        out->stores++;  // a second store: the spec says treat as none
      }
      if (out->store.size() > kMaxStore) { out->error = "manifest store larger than 64 MiB"; return; }
    }
    p += 2 + len;
  }
}

// PNG caBX, WebP C2PA chunk, BMFF uuid box: the first store is kept; a second
// one only counts (the spec says a file with two stores has none).
void Keep(Located* out, const char* container, const uint8_t* b, const uint8_t* e) {
  out->stores++;
  out->container = container;
  if (out->stores == 1) out->store.assign(b, e);
}

void LocatePng(const uint8_t* d, size_t n, Located* out) {
  media::ForEachPngChunk(d, n, [&](const media::Chunk& c) {
    if (c.type == "caBX") Keep(out, "png-caBX", c.data, c.data + c.size);
    return true;
  });
}

void LocateRiff(const uint8_t* d, size_t n, Located* out) {
  media::ForEachRiffChunk(d, n, [&](const media::Chunk& c) {
    if (c.type == "C2PA") Keep(out, "riff-C2PA", c.data, c.data + c.size);
    return true;
  });
}

void LocateBmff(const uint8_t* d, size_t n, Located* out) {
  media::ForEachBmffBox(d, n, [&](const media::Chunk& c) {
    if (c.type != "uuid" || c.size < 16 + 4 || std::memcmp(c.data, media::kC2paUuid, 16) != 0) return true;
    const uint8_t* q = c.data + 16 + 4;  // FullBox version + flags
    const uint8_t* end = c.data + c.size;
    const uint8_t* z = static_cast<const uint8_t*>(std::memchr(q, 0, size_t(end - q)));
    if (!z) return true;
    const std::string purpose(reinterpret_cast<const char*>(q), size_t(z - q));
    q = z + 1;
    if (purpose == "manifest" || purpose == "original") q += 8;  // offset of the first merkle box
    if (q < end) Keep(out, "bmff-uuid", q, end);
    return true;
  });
}

Located Locate(const uint8_t* d, size_t n) {
  Located l;
  if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8) LocateJpeg(d, n, &l);
  else if (n >= 8 && std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) LocatePng(d, n, &l);
  else if (n >= 12 && std::memcmp(d, "RIFF", 4) == 0) LocateRiff(d, n, &l);
  else if (n >= 12 && std::memcmp(d + 4, "ftyp", 4) == 0) LocateBmff(d, n, &l);
  else if (n >= 8 && std::memcmp(d + 4, "jumb", 4) == 0) {
    l.stores = 1;
    l.container = "sidecar";
    l.store.assign(d, d + std::min(n, kMaxStore));
  }
  return l;
}

// ---------------------------------------------------------------- crypto

const EVP_MD* MdFor(const std::string& alg) {
  if (alg == "sha256") return EVP_sha256();
  if (alg == "sha384") return EVP_sha384();
  if (alg == "sha512") return EVP_sha512();
  return nullptr;
}

std::string Digest(const EVP_MD* md, const uint8_t* p, size_t n) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(p, n, out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

struct CoseAlg {
  const char* name;
  const EVP_MD* md;
  enum Kind { kEcdsa, kPss, kEd25519 } kind;
  int coord;  // ECDSA coordinate size
};
std::optional<CoseAlg> CoseAlgFor(int64_t id) {
  switch (id) {
    case -7: return CoseAlg{"ES256", EVP_sha256(), CoseAlg::kEcdsa, 32};
    case -35: return CoseAlg{"ES384", EVP_sha384(), CoseAlg::kEcdsa, 48};
    case -36: return CoseAlg{"ES512", EVP_sha512(), CoseAlg::kEcdsa, 66};
    case -37: return CoseAlg{"PS256", EVP_sha256(), CoseAlg::kPss, 0};
    case -38: return CoseAlg{"PS384", EVP_sha384(), CoseAlg::kPss, 0};
    case -39: return CoseAlg{"PS512", EVP_sha512(), CoseAlg::kPss, 0};
    case -8: return CoseAlg{"Ed25519", nullptr, CoseAlg::kEd25519, 0};
  }
  return std::nullopt;
}

void AppendCborHead(std::string* out, int major, uint64_t len) {
  uint8_t mt = uint8_t(major << 5);
  if (len < 24) out->push_back(char(mt | len));
  else if (len < 256) out->push_back(char(mt | 24)), out->push_back(char(len));
  else if (len < 65536) out->push_back(char(mt | 25)), out->push_back(char(len >> 8)), out->push_back(char(len));
  else {
    out->push_back(char(mt | 26));
    for (int s = 24; s >= 0; s -= 8) out->push_back(char(len >> s));
  }
}

// Sig_structure = ["Signature1", protected, h'', payload]
std::string ToBeSigned(const std::string& prot, const uint8_t* claim, size_t n) {
  std::string s;
  s.push_back(char(0x84));
  AppendCborHead(&s, 3, 10);
  s += "Signature1";
  AppendCborHead(&s, 2, prot.size());
  s += prot;
  s.push_back(char(0x40));
  AppendCborHead(&s, 2, n);
  s.append(reinterpret_cast<const char*>(claim), n);
  return s;
}

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

X509Ptr ParseCert(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509Ptr(d2i_X509(nullptr, &p, long(der.size())), X509_free);
}

std::string NameString(X509_NAME* n) {
  if (!n) return "";
  char buf[512];
  X509_NAME_oneline(n, buf, sizeof buf);
  return buf;
}

bool VerifySignature(const CoseAlg& alg, X509* leaf, const std::string& tbs, const std::string& sig) {
  EVP_PKEY* pkey = X509_get0_pubkey(leaf);
  if (!pkey) return false;
  std::string der_sig = sig;
  if (alg.kind == CoseAlg::kEcdsa) {
    if (sig.size() != size_t(2 * alg.coord)) return false;  // C2PA requires raw r||s
    ECDSA_SIG* es = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), alg.coord, nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + alg.coord, alg.coord, nullptr);
    ECDSA_SIG_set0(es, r, s);
    unsigned char* out = nullptr;
    int len = i2d_ECDSA_SIG(es, &out);
    ECDSA_SIG_free(es);
    if (len <= 0) return false;
    der_sig.assign(reinterpret_cast<char*>(out), size_t(len));
    OPENSSL_free(out);
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, alg.md, nullptr, pkey) == 1;
  if (ok && alg.kind == CoseAlg::kPss) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, alg.md) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(der_sig.data()), der_sig.size(),
                              reinterpret_cast<const unsigned char*>(tbs.data()), tbs.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// "trusted", "untrusted", "expired" or "invalid".
std::string CheckChain(X509* leaf, const std::vector<X509Ptr>& rest, const std::string& anchors,
                       std::optional<time_t> at) {
  if (anchors.empty()) return "untrusted";
  X509_STORE* store = X509_STORE_new();
  if (X509_STORE_load_file(store, anchors.c_str()) != 1) {
    X509_STORE_free(store);
    return "untrusted";
  }
  STACK_OF(X509)* chain = sk_X509_new_null();
  for (const auto& c : rest) sk_X509_push(chain, c.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, chain);
  // With a valid time-stamp the certificate is judged when it signed.
  if (at) X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), *at);
  int ok = X509_verify_cert(ctx);
  int err = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  sk_X509_free(chain);
  X509_STORE_free(store);
  if (ok == 1) return "trusted";
  if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) return "expired";
  if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
      err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT || err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
    return "untrusted";
  return "invalid";
}

// ---------------------------------------------------------------- time-stamps

struct TimeStampCheck {
  bool present = false, imprint_ok = false, signature_ok = false;
  std::optional<time_t> gen_time;
  std::string error;
};

// `header` is the sigTst/sigTst2 value {"tstTokens": [{"val": bstr}]}; v2
// imprints cover the signature, v1 ones the claim (provenance.md 1.8).
TimeStampCheck CheckTimeStamp(const CborValue& header, bool v2, const std::string& prot, const uint8_t* claim,
                              size_t claim_n, const std::string& signature) {
  TimeStampCheck t;
  const CborValue* tokens = header.Get("tstTokens");
  if (!tokens || tokens->Untagged().items.empty()) return t;
  const CborValue* val = tokens->Untagged().items[0].Get("val");
  if (!val || !val->IsBytes()) return t;
  t.present = true;
  const std::string& der = val->Untagged().s;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  PKCS7* p7 = nullptr;
  // A TimeStampResp (SEQUENCE{status, token}) or a bare token (ContentInfo).
  TS_RESP* resp = d2i_TS_RESP(nullptr, &p, long(der.size()));
  if (resp) {
    p7 = PKCS7_dup(TS_RESP_get_token(resp));
    TS_RESP_free(resp);
  } else {
    p = reinterpret_cast<const unsigned char*>(der.data());
    p7 = d2i_PKCS7(nullptr, &p, long(der.size()));
  }
  if (!p7) {
    t.error = "time-stamp token is not DER PKCS#7";
    return t;
  }
  TS_TST_INFO* info = PKCS7_to_TS_TST_INFO(p7);
  if (info) {
    const ASN1_GENERALIZEDTIME* gt = TS_TST_INFO_get_time(info);
    struct tm tmv {};
    if (gt && ASN1_TIME_to_tm(gt, &tmv) == 1) t.gen_time = timegm(&tmv);
    TS_MSG_IMPRINT* mi = TS_TST_INFO_get_msg_imprint(info);
    X509_ALGOR* algo = TS_MSG_IMPRINT_get_algo(mi);
    const EVP_MD* md = EVP_get_digestbyobj(algo->algorithm);
    ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(mi);
    if (md && msg) {
      // ["CounterSignature", protected, h'', payload]
      std::string cs;
      cs.push_back(char(0x84));
      AppendCborHead(&cs, 3, 16);
      cs += "CounterSignature";
      AppendCborHead(&cs, 2, prot.size());
      cs += prot;
      cs.push_back(char(0x40));
      if (v2) {
        std::string enc;
        AppendCborHead(&enc, 2, signature.size());
        enc += signature;
        AppendCborHead(&cs, 2, enc.size());
        cs += enc;
      } else {
        AppendCborHead(&cs, 2, claim_n);
        cs.append(reinterpret_cast<const char*>(claim), claim_n);
      }
      std::string h = Digest(md, reinterpret_cast<const uint8_t*>(cs.data()), cs.size());
      t.imprint_ok = h.size() == size_t(ASN1_STRING_length(msg)) &&
                     std::memcmp(h.data(), ASN1_STRING_get0_data(msg), h.size()) == 0;
    }
    TS_TST_INFO_free(info);
  }
  // The token's own signature, with the certificate it carries (trust in
  // the TSA is a separate question: no TSA list is shipped).
  X509_STORE* store = X509_STORE_new();
  BIO* out = BIO_new(BIO_s_mem());
  t.signature_ok = PKCS7_verify(p7, nullptr, store, nullptr, out, PKCS7_NOVERIFY) == 1;
  BIO_free(out);
  X509_STORE_free(store);
  PKCS7_free(p7);
  return t;
}

// ---------------------------------------------------------------- validation

std::string HashAlgOf(const CborValue* m) {
  if (!m) return "";
  const CborValue* a = m->Get("alg");
  return a ? a->Text() : "";
}

struct ManifestCtx {
  const std::vector<uint8_t>& store;
  const std::vector<JBox>& manifests;
  const uint8_t* asset;
  size_t asset_n;
  bool sidecar;
  const C2paOptions& options;
};

// Resolves a hashed URI to an assertion superbox.
const JBox* Resolve(const ManifestCtx& cx, const JBox& manifest, std::string url) {
  const std::string prefix = "self#jumbf=";
  if (url.rfind(prefix, 0) == 0) url = url.substr(prefix.size());
  const JBox* m = &manifest;
  if (url.rfind("/c2pa/", 0) == 0 || url.rfind("c2pa/", 0) == 0) {
    url = url.substr(url[0] == '/' ? 6 : 5);
    size_t slash = url.find('/');
    std::string mlabel = url.substr(0, slash);
    m = nullptr;
    for (const auto& x : cx.manifests)
      if (x.label == mlabel) m = &x;
    if (!m || slash == std::string::npos) return nullptr;
    url = url.substr(slash + 1);
  }
  size_t slash = url.find('/');
  if (slash == std::string::npos) return nullptr;
  std::string store_label = url.substr(0, slash), label = url.substr(slash + 1);
  for (const auto& c : m->children)
    if (c.label == store_label)
      for (const auto& a : c.children)
        if (a.label == label) return &a;
  return nullptr;
}

void AddCode(C2paManifest* m, const std::string& code) {
  if (std::find(m->status_codes.begin(), m->status_codes.end(), code) == m->status_codes.end())
    m->status_codes.push_back(code);
}

std::string Trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\r\n"));
  s.erase(s.find_last_not_of(" \t\r\n") + 1);
  return s;
}

C2paManifest ValidateManifest(const ManifestCtx& cx, const JBox& mb, bool active) {
  C2paManifest m;
  m.label = mb.label;
  m.type = mb.desc;
  m.active = active;
  const uint8_t* s = cx.store.data();
  // Claim.
  std::vector<const JBox*> claims;
  for (const auto& c : mb.children)
    if (c.desc == "c2cl") claims.push_back(&c);
  if (claims.empty()) {
    AddCode(&m, "claim.missing");
    return m;
  }
  if (claims.size() > 1) AddCode(&m, "claim.multiple");
  const JBox& claim_box = *claims[0];
  m.claim_label = claim_box.label;
  const JBox* claim_cbor = ContentBox(claim_box, "cbor");
  if (!claim_cbor) {
    AddCode(&m, "claim.cbor.invalid");
    return m;
  }
  const uint8_t* cb = s + claim_cbor->start + claim_cbor->hdr;
  const size_t cn = claim_cbor->end - claim_cbor->start - claim_cbor->hdr;
  auto claim = DecodeCbor(cb, cn);
  if (!claim.ok()) {
    AddCode(&m, "claim.cbor.invalid");
    return m;
  }
  const std::string claim_alg = HashAlgOf(&*claim);
  if (const CborValue* g = claim->Get("claim_generator")) m.claim_generator = g->Text();
  if (const CborValue* gi = claim->Get("claim_generator_info")) {
    const CborValue& g = gi->Untagged();
    const CborValue* first = g.type == CborValue::Type::kArray && !g.items.empty() ? &g.items[0] : &g;
    if (const CborValue* name = first->Get("name"); name && m.claim_generator.empty()) m.claim_generator = name->Text();
  }

  // Hashed URIs.
  std::vector<const CborValue*> refs;
  for (const char* key : {"assertions", "created_assertions", "gathered_assertions"})
    if (const CborValue* a = claim->Get(key))
      for (const auto& r : a->Untagged().items) refs.push_back(&r);
  bool alg_missing = false;
  nlohmann::json uri_results = nlohmann::json::object();
  std::vector<const JBox*> hard_bindings;
  for (const CborValue* r : refs) {
    const CborValue* url = r->Get("url");
    const CborValue* h = r->Get("hash");
    if (!url || !h || !h->IsBytes()) {
      AddCode(&m, "claim.malformed");
      continue;
    }
    std::string alg = HashAlgOf(r);
    if (alg.empty()) alg = claim_alg;
    const JBox* target = Resolve(cx, mb, url->Text());
    std::string label = url->Text().substr(url->Text().find_last_of('/') + 1);
    if (!target) {
      AddCode(&m, "assertion.missing");
      uri_results[label] = "missing";
      continue;
    }
    if (alg.empty()) alg_missing = true;
    const EVP_MD* md = MdFor(alg.empty() ? "sha256" : alg);
    if (!md) {
      AddCode(&m, "algorithm.unsupported");
      continue;
    }
    std::string got = Digest(md, s + target->start + target->hdr, target->end - target->start - target->hdr);
    bool match = got == h->Untagged().s;
    uri_results[label] = match ? "match" : "mismatch";
    AddCode(&m, match ? "assertion.hashedURI.match" : "assertion.hashedURI.mismatch");
    if (label.rfind("c2pa.hash.", 0) == 0) hard_bindings.push_back(target);
  }
  if (alg_missing) AddCode(&m, "algorithm.unsupported");  // the spec has no default hash algorithm
  m.details["hashed_uris"] = uri_results;

  // Assertions: actions, ingredients.
  for (const auto& store_box : mb.children) {
    if (store_box.desc != "c2as") continue;
    for (const auto& a : store_box.children) {
      const JBox* c = ContentBox(a, "cbor");
      if (!c) continue;
      bool actions = a.label.rfind("c2pa.actions", 0) == 0;
      bool ingredient = a.label.rfind("c2pa.ingredient", 0) == 0;
      if (!actions && !ingredient) continue;
      auto v = DecodeCbor(s + c->start + c->hdr, c->end - c->start - c->hdr);
      if (!v.ok()) {
        AddCode(&m, "assertion.cbor.invalid");
        continue;
      }
      if (actions) {
        if (const CborValue* list = v->Get("actions"))
          for (const auto& act : list->Untagged().items) {
            if (const CborValue* name = act.Get("action")) {
              std::string entry = name->Text();
              if (const CborValue* when = act.Get("when")) entry += " at " + when->Text();
              if (const CborValue* agent = act.Get("softwareAgent")) {
                std::string who = agent->IsText() ? agent->Text() : (agent->Get("name") ? agent->Get("name")->Text() : "");
                if (!who.empty()) entry += " by " + who;
              }
              m.actions.push_back(entry);
            }
            if (const CborValue* dst = act.Get("digitalSourceType")) {
              std::string t = Trim(dst->Text());
              if (!t.empty() && std::find(m.digital_source_types.begin(), m.digital_source_types.end(), t) ==
                                    m.digital_source_types.end())
                m.digital_source_types.push_back(t);
            }
          }
      } else {
        nlohmann::json ing = nlohmann::json::object();
        for (const char* k : {"title", "relationship", "format", "dc:title", "dc:format"})
          if (const CborValue* x = v->Get(k)) ing[k] = x->Text();
        m.ingredients.push_back(ing);
      }
    }
  }

  // Hard binding (the asset's bytes): only the active manifest binds this file.
  if (active) {
    const JBox* data_hash = nullptr;
    int n_hard = 0;
    for (const JBox* hb : hard_bindings) {
      ++n_hard;
      if (hb->label.rfind("c2pa.hash.data", 0) == 0) data_hash = hb;
    }
    if (n_hard > 1) AddCode(&m, "assertion.multipleHardBindings");
    if (n_hard == 0 && m.type != "c2um") AddCode(&m, "claim.hardBindings.missing");
    if (data_hash && !cx.sidecar) {
      const JBox* c = ContentBox(*data_hash, "cbor");
      auto v = c ? DecodeCbor(s + c->start + c->hdr, c->end - c->start - c->hdr) : Result<CborValue>(Corrupt("no cbor"));
      const CborValue* h = v.ok() ? v->Get("hash") : nullptr;
      if (!h || !h->IsBytes()) {
        AddCode(&m, "assertion.dataHash.malformed");
      } else {
        std::string alg = HashAlgOf(&*v);
        if (alg.empty()) alg = claim_alg;
        const EVP_MD* md = MdFor(alg.empty() ? "sha256" : alg);
        std::vector<std::pair<uint64_t, uint64_t>> ex;
        if (const CborValue* e = v->Get("exclusions"))
          for (const auto& r : e->Untagged().items) {
            const CborValue* st = r.Get("start");
            const CborValue* ln = r.Get("length");
            if (st && ln) ex.push_back({uint64_t(st->Untagged().i), uint64_t(ln->Untagged().i)});
          }
        std::sort(ex.begin(), ex.end());
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        EVP_DigestInit_ex(ctx, md ? md : EVP_sha256(), nullptr);
        uint64_t pos = 0;
        bool bad = false;
        for (auto [st, ln] : ex) {
          if (st < pos || st > cx.asset_n || ln > cx.asset_n - st) {
            bad = true;
            break;
          }
          EVP_DigestUpdate(ctx, cx.asset + pos, size_t(st - pos));
          pos = st + ln;
        }
        if (!bad) EVP_DigestUpdate(ctx, cx.asset + pos, size_t(cx.asset_n - pos));
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx, out, &len);
        EVP_MD_CTX_free(ctx);
        bool match = !bad && std::string(reinterpret_cast<char*>(out), len) == h->Untagged().s;
        AddCode(&m, match ? "assertion.dataHash.match" : "assertion.dataHash.mismatch");
        m.details["hard_binding"] = {{"type", "c2pa.hash.data"}, {"result", match ? "match" : "mismatch"}};
      }
    } else if (data_hash && cx.sidecar) {
      m.details["hard_binding"] = {{"type", "c2pa.hash.data"}, {"result", "not checked (sidecar: asset not given)"}};
    } else if (!hard_bindings.empty()) {
      m.details["hard_binding"] = {{"type", hard_bindings[0]->label}, {"result", "not checked by needle yet"}};
    }
  }

  // Claim signature.
  const JBox* sig_box = nullptr;
  for (const auto& c : mb.children)
    if (c.desc == "c2cs") sig_box = &c;
  const JBox* sig_cbor = sig_box ? ContentBox(*sig_box, "cbor") : nullptr;
  if (!sig_cbor) {
    AddCode(&m, "claimSignature.missing");
    return m;
  }
  auto cose = DecodeCbor(s + sig_cbor->start + sig_cbor->hdr, sig_cbor->end - sig_cbor->start - sig_cbor->hdr);
  const CborValue* arr = cose.ok() ? &cose->Untagged() : nullptr;
  if (!arr || arr->type != CborValue::Type::kArray || arr->items.size() != 4 || !arr->items[0].IsBytes() ||
      !arr->items[3].IsBytes()) {
    AddCode(&m, "claimSignature.mismatch");
    m.details["signature_error"] = "COSE_Sign1 structure is malformed" + (cose.ok() ? std::string(" (type ") + std::to_string(int(arr->type)) + ", items " + std::to_string(arr->items.size()) + ")" : ": " + cose.status().message());
    return m;
  }
  const std::string& prot_bytes = arr->items[0].Untagged().s;
  auto prot = prot_bytes.empty() ? Result<CborValue>(CborValue{}) : DecodeCbor(reinterpret_cast<const uint8_t*>(prot_bytes.data()), prot_bytes.size());
  if (!prot.ok()) {
    AddCode(&m, "claimSignature.mismatch");
    return m;
  }
  const CborValue& unprot = arr->items[1].Untagged();
  const CborValue* alg_id = prot->Get(int64_t(1));
  auto alg = alg_id && alg_id->Untagged().type == CborValue::Type::kInt ? CoseAlgFor(alg_id->Untagged().i) : std::nullopt;
  if (!alg) {
    AddCode(&m, "algorithm.unsupported");
    return m;
  }
  m.alg = alg->name;
  const CborValue* x5 = prot->Get(int64_t(33));
  if (!x5) x5 = prot->Get("x5chain");
  if (!x5) x5 = unprot.Get(int64_t(33));
  if (!x5) x5 = unprot.Get("x5chain");
  std::vector<std::string> ders;
  if (x5) {
    const CborValue& xv = x5->Untagged();
    if (xv.type == CborValue::Type::kBytes) ders.push_back(xv.s);
    for (const auto& c : xv.items)
      if (c.IsBytes()) ders.push_back(c.Untagged().s);
  }
  if (ders.empty()) {
    AddCode(&m, "claimSignature.missing");
    m.details["signature_error"] = "no x5chain certificate";
    return m;
  }
  X509Ptr leaf = ParseCert(ders[0]);
  if (!leaf) {
    AddCode(&m, "signingCredential.invalid");
    return m;
  }
  m.signer = NameString(X509_get_subject_name(leaf.get()));
  m.issuer = NameString(X509_get_issuer_name(leaf.get()));
  std::string tbs = ToBeSigned(prot_bytes, cb, cn);
  bool sig_ok = VerifySignature(*alg, leaf.get(), tbs, arr->items[3].Untagged().s);
  AddCode(&m, sig_ok ? "claimSignature.validated" : "claimSignature.mismatch");
  std::vector<X509Ptr> rest;
  for (size_t i = 1; i < ders.size(); ++i)
    if (auto c = ParseCert(ders[i])) rest.push_back(std::move(c));
  // Time-stamp: v2 (sigTst2) or v1 (sigTst), either encoding accepted.
  std::optional<time_t> signing_time;
  for (const char* key : {"sigTst2", "sigTst"}) {
    const CborValue* h = unprot.Get(key);
    if (!h) h = prot->Get(key);
    if (!h) continue;
    TimeStampCheck ts = CheckTimeStamp(*h, std::string(key) == "sigTst2", prot_bytes, cb, cn, arr->items[3].Untagged().s);
    if (!ts.present) continue;
    m.details["timestamp"] = {{"header", key}, {"imprint", ts.imprint_ok ? "match" : "mismatch"},
                              {"signature", ts.signature_ok ? "ok" : "fails"}};
    if (ts.gen_time) {
      char buf[32];
      std::tm tmv{};
      gmtime_r(&*ts.gen_time, &tmv);
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tmv);
      m.details["timestamp"]["gen_time"] = buf;
    }
    if (ts.imprint_ok && ts.signature_ok) {
      AddCode(&m, "timeStamp.validated");
      signing_time = ts.gen_time;
    } else {
      AddCode(&m, ts.imprint_ok ? "timeStamp.malformed" : "timeStamp.mismatch");
    }
    break;
  }
  std::string trust = CheckChain(leaf.get(), rest, cx.options.trust_anchors, signing_time);
  AddCode(&m, "signingCredential." + trust);
  return m;
}

}  // namespace

C2paReport ReadC2pa(const uint8_t* data, size_t n, const C2paOptions& options) {
  C2paReport r;
  // A remote manifest reference in XMP (never fetched).
  {
    std::string_view all(reinterpret_cast<const char*>(data), std::min<size_t>(n, 1 << 20));
    size_t p = all.find("dcterms:provenance");
    if (p != std::string_view::npos) {
      size_t q = all.find_first_of("\"'>", p + 18);
      if (q != std::string_view::npos) {
        size_t e = all.find_first_of("\"'<", q + 1);
        if (e != std::string_view::npos && e - q < 1024) r.remote_reference = std::string(all.substr(q + 1, e - q - 1));
      }
    }
  }
  Located loc = Locate(data, n);
  if (loc.stores == 0) return r;
  r.present = true;
  r.container = loc.container;
  if (loc.stores > 1) {
    r.error = "more than one manifest store is embedded: treated as none (C2PA 15.5.2.1)";
    return r;
  }
  if (!loc.error.empty()) {
    r.error = loc.error;
    return r;
  }
  JumbfParser jp{loc.store.data(), loc.store.size()};
  std::vector<JBox> top;
  Status st = jp.Parse(0, loc.store.size(), 0, &top);
  if (!st.ok() || top.empty() || top[0].type != "jumb" || top[0].desc != "c2pa") {
    r.error = st.ok() ? "no c2pa manifest store box" : "malformed JUMBF: " + st.message();
    return r;
  }
  std::vector<JBox> manifests;
  for (auto& c : top[0].children)
    if (c.desc == "c2ma" || c.desc == "c2um") manifests.push_back(c);
  ManifestCtx cx{loc.store, manifests, data, n, loc.container == "sidecar", options};
  for (size_t i = 0; i < manifests.size(); ++i)
    r.manifests.push_back(ValidateManifest(cx, manifests[i], i + 1 == manifests.size()));
  return r;
}

namespace {
bool Has(const C2paManifest& m, const char* code) {
  return std::find(m.status_codes.begin(), m.status_codes.end(), code) != m.status_codes.end();
}
bool HasPrefix(const std::vector<std::string>& v, const std::string& term) {
  for (const auto& s : v)
    if (s.size() >= term.size() && s.compare(s.size() - term.size(), term.size(), term) == 0) return true;
  return false;
}
}  // namespace

std::vector<Finding> C2paFindings(const C2paReport& r) {
  std::vector<Finding> out;
  if (!r.remote_reference.empty() && !r.present) {
    Finding f;
    f.signal = "c2pa.remote";
    f.summary = "XMP points to a remote C2PA manifest (" + r.remote_reference + "); needle never fetches it.";
    f.details = {{"reference", r.remote_reference}};
    out.push_back(f);
  }
  if (!r.present) return out;
  if (!r.error.empty() || r.manifests.empty()) {
    Finding f;
    f.signal = "c2pa";
    f.direction = Direction::kEdited;
    f.strength = Strength::kSupporting;
    f.summary = "A C2PA manifest store is present but malformed: " + (r.error.empty() ? "no manifest" : r.error) + ".";
    out.push_back(f);
    return out;
  }
  const C2paManifest& a = r.manifests.back();
  Finding f;
  f.signal = "c2pa";
  f.details = {{"manifest", a.label}, {"signer", a.signer}, {"claim_generator", a.claim_generator},
               {"status_codes", a.status_codes}, {"digital_source_types", a.digital_source_types}};
  const bool sig = Has(a, "claimSignature.validated");
  const bool data_bad = Has(a, "assertion.dataHash.mismatch");
  const bool uri_bad = Has(a, "assertion.hashedURI.mismatch");
  const bool trusted = Has(a, "signingCredential.trusted");
  const std::string who = a.signer.empty() ? "an unknown signer" : a.signer;
  if (!sig) {
    f.direction = Direction::kEdited;
    f.strength = Strength::kStrong;
    f.summary = "A C2PA manifest is present but its signature does not verify: the claim was altered after signing or is malformed.";
  } else if (data_bad) {
    f.direction = Direction::kEdited;
    f.strength = Strength::kStrong;
    f.summary = "C2PA manifest present but data hash mismatch: the file was edited after signing (signed by " + who + ").";
  } else if (uri_bad) {
    f.direction = Direction::kEdited;
    f.strength = Strength::kStrong;
    f.summary = "C2PA manifest present but an assertion no longer matches its hash: the manifest was tampered with.";
  } else if (HasPrefix(a.digital_source_types, "trainedAlgorithmicMedia") ||
             HasPrefix(a.digital_source_types, "compositeWithTrainedAlgorithmicMedia")) {
    f.direction = Direction::kSynthetic;
    f.strength = trusted ? Strength::kDecisive : Strength::kStrong;
    f.summary = std::string("A valid C2PA manifest signed by ") + who + " declares the content " +
                (HasPrefix(a.digital_source_types, "composite") ? "edited with" : "made by") + " generative AI" +
                (trusted ? " (signer trusted)." : "; the signer is not on your trust anchors, so this is strong, not decisive.");
  } else if (HasPrefix(a.digital_source_types, "digitalCapture") ||
             HasPrefix(a.digital_source_types, "computationalCapture")) {
    f.direction = Direction::kCamera;
    f.strength = trusted ? Strength::kDecisive : Strength::kStrong;
    f.summary = "A valid C2PA manifest signed by " + who + " declares a camera capture" +
                (trusted ? " (signer trusted)." : "; the signer is not on your trust anchors.");
  } else if (HasPrefix(a.digital_source_types, "algorithmicMedia")) {
    f.direction = Direction::kSynthetic;
    f.strength = Strength::kSupporting;
    f.summary = "A valid C2PA manifest signed by " + who + " declares algorithmic (not generative-AI) media.";
  } else {
    f.direction = Direction::kNone;
    f.strength = Strength::kWeak;
    f.summary = "A valid C2PA manifest signed by " + who + " is present; it declares no digital source type.";
  }
  out.push_back(f);
  // Generative AI further back in the history (ingredient manifests).
  for (size_t i = 0; i + 1 < r.manifests.size(); ++i) {
    const auto& m = r.manifests[i];
    if (HasPrefix(m.digital_source_types, "trainedAlgorithmicMedia") && Has(m, "claimSignature.validated")) {
      Finding g;
      g.signal = "c2pa.ingredient";
      g.direction = Direction::kSynthetic;
      g.strength = Strength::kStrong;
      g.summary = "An ingredient manifest signed by " + m.signer + " records generative-AI content (" +
                  m.claim_generator + ") earlier in this file's history.";
      out.push_back(g);
      break;
    }
  }
  return out;
}

nlohmann::ordered_json ToJson(const C2paReport& r) {
  nlohmann::ordered_json j;
  j["present"] = r.present;
  if (!r.container.empty()) j["container"] = r.container;
  if (!r.remote_reference.empty()) j["remote_reference"] = r.remote_reference;
  if (!r.error.empty()) j["error"] = r.error;
  nlohmann::ordered_json ms = nlohmann::ordered_json::array();
  for (const auto& m : r.manifests) {
    nlohmann::ordered_json x;
    x["label"] = m.label;
    x["type"] = m.type;
    x["active"] = m.active;
    x["claim_label"] = m.claim_label;
    x["claim_generator"] = m.claim_generator;
    x["signer"] = m.signer;
    x["issuer"] = m.issuer;
    x["alg"] = m.alg;
    x["digital_source_types"] = m.digital_source_types;
    x["actions"] = m.actions;
    x["status_codes"] = m.status_codes;
    if (!m.ingredients.empty()) x["ingredients"] = m.ingredients;
    x["details"] = m.details;
    ms.push_back(x);
  }
  j["manifests"] = ms;
  return j;
}

}  // namespace needle::provenance
