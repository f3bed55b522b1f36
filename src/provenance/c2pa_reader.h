// C2PA content credentials: find the manifest store in a file, parse it,
// and validate what can be validated offline (../shared/docs/provenance.md §1):
//   - the store: JPEG APP11 (multi-segment), PNG caBX, RIFF C2PA, BMFF uuid,
//     or a raw .c2pa sidecar; JUMBF boxes; claim v1/v2 CBOR; assertions;
//   - hashed URIs of assertions; the c2pa.hash.data hard binding over the
//     file bytes with its exclusions (active manifest);
//   - the COSE_Sign1 claim signature (ES256/384/512, PS256/384/512, Ed25519)
//     with the x5chain leaf key; the chain against the user's trust anchors
//     (none trusted by default);
//   - c2pa.actions digitalSourceType, claim generator, signer, ingredients.
// Results are C2PA validation status codes, per manifest; the last manifest
// is the active one. Never fetches anything (remote manifests are reported).
// Limits: store <= 64 MiB, JUMBF depth 16, CBOR depth 32.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "provenance/finding.h"

namespace needle::provenance {

struct C2paOptions {
  std::string trust_anchors;  // PEM bundle path; empty = nothing is trusted
};

struct C2paManifest {
  std::string label;
  std::string type;  // "c2ma" standard, "c2um" update
  bool active = false;
  std::string claim_label;
  std::string claim_generator;
  std::string signer;      // leaf certificate subject
  std::string issuer;
  std::string alg;         // COSE algorithm name
  std::vector<std::string> digital_source_types;
  std::vector<std::string> status_codes;  // C2PA vocabulary, e.g. claimSignature.validated
  std::vector<std::string> actions;       // c2pa.created, c2pa.opened...
  std::vector<nlohmann::json> ingredients;
  nlohmann::json details = nlohmann::json::object();
};

struct C2paReport {
  bool present = false;
  std::string container;  // "jpeg-app11", "png-caBX", "riff-C2PA", "bmff-uuid", "sidecar"
  std::string remote_reference;  // XMP dcterms:provenance, never fetched
  std::vector<C2paManifest> manifests;
  std::string error;  // store-level failure (malformed JUMBF, multiple stores...)
};

C2paReport ReadC2pa(const uint8_t* data, size_t n, const C2paOptions& options);

std::vector<Finding> C2paFindings(const C2paReport& r);
nlohmann::ordered_json ToJson(const C2paReport& r);

}  // namespace needle::provenance
