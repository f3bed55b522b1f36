// needle inspect: provenance evidence (C2PA, metadata, watermarks) per file.
#include <memory>

#include "cli_util.h"
#include "commands.h"
#include "provenance/inspector.h"
#include "util/file_walker.h"

namespace needle::cli {
namespace {

struct InspectFlags {
  std::vector<std::string> paths;
  std::string format = "auto";
  std::string trust_anchors;
  bool follow_symlinks = false;
};

int RunInspect(const InspectFlags& f) {
  provenance::InspectOptions o;
  o.trust_anchors = f.trust_anchors;
  const bool json = ResolveFormat(f.format) == OutputFormat::kJsonl;
  util::WalkOptions w;
  w.follow_symlinks = f.follow_symlinks;
  util::FileWalker walker(f.paths, w);
  util::WalkEntry e;
  int failed = 0;
  while (walker.Next(&e)) {
    if (e.kind != util::WalkEntry::Kind::kFile) continue;
    auto r = provenance::InspectFile(e.path, o);
    failed += !r.error.ok();
    if (json) std::cout << provenance::ToJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    else std::cout << provenance::ToText(r);
  }
  return failed ? kExitSomeFailed : kExitOk;
}

}  // namespace

Action RegisterInspect(CLI::App& app) {
  auto f = std::make_shared<InspectFlags>();
  CLI::App* sub = app.add_subcommand("inspect", "Provenance evidence: C2PA credentials, generator metadata, watermarks");
  sub->footer(
      "Each signal becomes a finding {signal, direction: synthetic|camera|edited|none,\n"
      "strength: decisive|strong|supporting|weak, summary, details}.\n"
      "  C2PA: the manifest store is found (JPEG APP11, PNG caBX, WebP C2PA, HEIF/MP4 uuid),\n"
      "        hashed URIs, the data-hash hard binding and the COSE claim signature are checked;\n"
      "        the certificate chain is checked against --trust-anchors (nothing is trusted\n"
      "        by default, so a signed AI declaration is strong rather than decisive).\n"
      "  Metadata: IPTC/XMP DigitalSourceType, generator text chunks (AUTOMATIC1111, ComfyUI,\n"
      "        InvokeAI, NovelAI, Fooocus), EXIF camera fields.\n"
      "  Watermark: the Stable Diffusion 1/2 and SDXL dwtDct invisible watermark, with the\n"
      "        number of matching bits and the probability of that many by chance.\n"
      "Nothing is fetched: remote manifests are reported, not downloaded.\n\n"
      "JSON fields: path, sha256, findings[], c2pa{present, manifests[{label, active,\n"
      "claim_generator, signer, alg, digital_source_types[], status_codes[]}]},\n"
      "watermark{scheme, matched_bits, total_bits, p_value}, metadata{...}.");
  sub->add_option("paths", f->paths, "Files and folders")->required();
  sub->add_option("--format", f->format, "text or json (JSON Lines; default: text on a terminal)")
      ->check(CLI::IsMember({"auto", "text", "json", "jsonl"}));
  sub->add_option("--trust-anchors", f->trust_anchors, "PEM bundle of C2PA trust anchors")->check(CLI::ExistingFile);
  sub->add_flag("--follow-symlinks", f->follow_symlinks, "Follow symbolic links inside folders");
  return [f] { return RunInspect(*f); };
}

}  // namespace needle::cli
