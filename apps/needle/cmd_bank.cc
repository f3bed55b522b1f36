// needle bank create|list|show|import|export|enable|disable|set|rm
#include <fstream>
#include <memory>

#include "banks/importer.h"
#include "banks/list_format.h"
#include "cli_util.h"
#include "commands.h"

namespace needle::cli {
namespace {

struct BankFlags {
  std::string store;
  std::string name;
  std::string description;
  std::string kind = "alert";
  int threshold = 31;
  int min_quality = 50;
  bool disabled = false;
  std::string file;
  std::string format = "auto";
  std::string signal_type = "pdq";
  std::string output;
  std::string out_format = "auto";
  int show_entries = 10;
  // `set` only: -1 = unchanged
  int set_threshold = -1, set_min_quality = -1;
  std::string set_kind, set_description;
};

nlohmann::ordered_json BankJson(const store::BankConfig& b) {
  return {{"name", b.name},          {"description", b.description}, {"kind", store::BankKindName(b.kind)},
          {"pdq_threshold", b.pdq_threshold}, {"min_quality", b.min_quality}, {"enabled", b.enabled},
          {"entries", b.entries},    {"version", b.version},         {"created", b.created},
          {"updated", b.updated}};
}

Result<std::unique_ptr<store::BankStore>> Open(const BankFlags& f, bool create) {
  return store::BankStore::Open(StoreDir(f.store), create);
}

int Create(const BankFlags& f) {
  auto kind = store::ParseBankKind(f.kind);
  if (!kind) return Fail("bank create", InvalidArgument("--kind must be alert or suppress"));
  auto s = Open(f, true);
  if (!s.ok()) return Fail("bank create", s.status());
  store::BankConfig c;
  c.name = f.name;
  c.description = f.description;
  c.kind = *kind;
  c.pdq_threshold = f.threshold;
  c.min_quality = f.min_quality;
  c.enabled = !f.disabled;
  auto b = (*s)->CreateBank(c);
  if (!b.ok()) return Fail("bank create", b.status());
  std::cout << BankJson(*b).dump() << '\n';
  return kExitOk;
}

int List(const BankFlags& f) {
  auto s = Open(f, false);
  if (!s.ok()) return Fail("bank list", s.status());
  auto banks = (*s)->ListBanks();
  if (!banks.ok()) return Fail("bank list", banks.status());
  if (ResolveFormat(f.out_format) == OutputFormat::kJsonl) {
    for (auto& b : *banks) std::cout << BankJson(b).dump() << '\n';
  } else {
    std::printf("%-24s %-8s %9s %5s %5s %-8s %s\n", "NAME", "KIND", "ENTRIES", "DIST", "MINQ", "STATE", "DESCRIPTION");
    for (auto& b : *banks)
      std::printf("%-24s %-8s %9lld %5d %5d %-8s %s\n", b.name.c_str(), store::BankKindName(b.kind),
                  (long long)b.entries, b.pdq_threshold, b.min_quality, b.enabled ? "enabled" : "disabled",
                  b.description.c_str());
  }
  return kExitOk;
}

int Show(const BankFlags& f) {
  auto s = Open(f, false);
  if (!s.ok()) return Fail("bank show", s.status());
  auto b = (*s)->GetBank(f.name);
  if (!b.ok()) return Fail("bank show", b.status());
  auto j = BankJson(*b);
  nlohmann::ordered_json sample = nlohmann::ordered_json::array();
  int left = f.show_entries;
  Status st = (*s)->ForEachEntry(f.name, [&](const store::BankEntry& e) {
    if (left-- <= 0) return Status::Ok();
    nlohmann::ordered_json x{{"entry", e.id}, {"key", e.record.source_key}};
    if (e.record.pdq) x["pdq"] = *e.record.pdq;
    if (e.record.md5) x["md5"] = *e.record.md5;
    if (e.record.sha1) x["sha1"] = *e.record.sha1;
    if (e.record.sha256) x["sha256"] = *e.record.sha256;
    if (!e.record.category.empty()) x["category"] = e.record.category;
    sample.push_back(x);
    return Status::Ok();
  });
  if (!st.ok()) return Fail("bank show", st);
  j["sample"] = sample;
  std::cout << j.dump(ResolveFormat(f.out_format) == OutputFormat::kText ? 2 : -1) << '\n';
  return kExitOk;
}

int Import(const BankFlags& f) {
  auto fmt = banks::ParseListFormat(f.format);
  if (!fmt) return Fail("bank import", InvalidArgument("unknown --format " + f.format));
  auto s = Open(f, false);
  if (!s.ok()) return Fail("bank import", s.status());
  banks::ParseOptions po;
  po.bare64_type = f.signal_type;
  auto r = banks::ImportFile(**s, f.name, f.file, *fmt, po);
  if (!r.ok()) {
    std::cerr << "needle bank import: nothing was imported; the bank is unchanged.\n";
    return Fail("bank import", r.status());
  }
  nlohmann::ordered_json j{{"bank", f.name},
                           {"file", f.file},
                           {"format", banks::ListFormatName(r->format)},
                           {"sha256", r->file_sha256},
                           {"inserted", r->counts.inserted},
                           {"updated", r->counts.updated},
                           {"unchanged", r->counts.unchanged},
                           {"deleted", r->counts.deleted},
                           {"deletions_not_found", r->counts.missing_deletions}};
  std::cout << j.dump() << '\n';
  return kExitOk;
}

int Export(const BankFlags& f) {
  auto fmt = banks::ParseExportFormat(f.out_format == "auto" ? "text" : f.out_format);
  if (!fmt) return Fail("bank export", InvalidArgument("--format must be text, csv or vics"));
  auto s = Open(f, false);
  if (!s.ok()) return Fail("bank export", s.status());
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!f.output.empty()) {
    file.open(f.output, std::ios::binary);
    if (!file) return Fail("bank export", IoError(f.output + ": cannot write"));
    out = &file;
  }
  auto ex = banks::MakeExporter(*fmt, *out);
  Status st = (*s)->ForEachEntry(f.name, [&](const store::BankEntry& e) {
    ex->Write(e.id, e.record);
    return Status::Ok();
  });
  if (!st.ok()) return Fail("bank export", st);
  ex->Finish();
  if (!out->good()) return Fail("bank export", IoError("write failed"));
  return kExitOk;
}

int SetEnabled(const BankFlags& f, bool enabled) {
  auto s = Open(f, false);
  if (!s.ok()) return Fail("bank", s.status());
  auto b = (*s)->GetBank(f.name);
  if (!b.ok()) return Fail("bank", b.status());
  b->enabled = enabled;
  Status st = (*s)->UpdateBank(*b);
  if (!st.ok()) return Fail("bank", st);
  std::cout << BankJson(*(*s)->GetBank(f.name)).dump() << '\n';
  return kExitOk;
}

int Set(const BankFlags& f) {
  auto s = Open(f, false);
  if (!s.ok()) return Fail("bank set", s.status());
  auto b = (*s)->GetBank(f.name);
  if (!b.ok()) return Fail("bank set", b.status());
  if (f.set_threshold >= 0) b->pdq_threshold = f.set_threshold;
  if (f.set_min_quality >= 0) b->min_quality = f.set_min_quality;
  if (!f.set_description.empty()) b->description = f.set_description;
  if (!f.set_kind.empty()) {
    auto k = store::ParseBankKind(f.set_kind);
    if (!k) return Fail("bank set", InvalidArgument("--kind must be alert or suppress"));
    b->kind = *k;
  }
  Status st = (*s)->UpdateBank(*b);
  if (!st.ok()) return Fail("bank set", st);
  std::cout << BankJson(*(*s)->GetBank(f.name)).dump() << '\n';
  return kExitOk;
}

int Remove(const BankFlags& f) {
  auto s = Open(f, false);
  if (!s.ok()) return Fail("bank rm", s.status());
  Status st = (*s)->DeleteBank(f.name);
  if (!st.ok()) return Fail("bank rm", st);
  std::cout << nlohmann::json{{"removed", f.name}}.dump() << '\n';
  return kExitOk;
}

constexpr const char* kBankHelp =
    "Banks are named hash lists in a local store (one SQLite database, WAL, crash-safe),\n"
    "by default under $NEEDLE_HOME or ~/.local/share/needle (--store DIR to choose).\n"
    "An `alert` bank holds known-bad hashes; a `suppress` bank holds known-benign ones whose\n"
    "matches hide a file from triage. Each bank has its own PDQ distance threshold (0-63,\n"
    "default 31) and minimum PDQ quality (default 50).\n\n"
    "Import formats (detected from content, or --format): text (one hash per line, bare or\n"
    "'TYPE VALUE'), csv (python-threatexchange signal_type,signal_str,... or md5/sha1/sha256/\n"
    "pdq/photodna columns), vics (Project VIC 1.2/1.3/2.0 JSON), icse (Interpol ICSE ';' CSV),\n"
    "ncmec (NCMEC hash-sharing v2 XML), stopncii (StopNCII JSON records). Imports stream the\n"
    "file and are all-or-nothing: the first malformed record stops the import, names the line\n"
    "or record and the reason, and leaves the bank unchanged. Re-importing a file is a no-op;\n"
    "deletions in the source (NCMEC deleted*, StopNCII Withdrawn/Deleted) remove entries.\n\n"
    "Examples:\n"
    "  needle bank create KNOWN_BAD --description 'partner list 2026-11'\n"
    "  needle bank import KNOWN_BAD list.csv\n"
    "  needle bank create ALLOWLIST --kind suppress --threshold 16\n"
    "  needle bank export KNOWN_BAD --format vics --output known.json";

}  // namespace

Action RegisterBank(CLI::App& app) {
  auto f = std::make_shared<BankFlags>();
  auto action = std::make_shared<Action>();
  CLI::App* bank = app.add_subcommand("bank", "Create, import, export and manage hash banks");
  bank->footer(kBankHelp);
  bank->require_subcommand(1);
  auto store_opt = [&](CLI::App* c) {
    c->add_option("--store", f->store, "Store directory (default $NEEDLE_HOME or ~/.local/share/needle)");
  };

  CLI::App* create = bank->add_subcommand("create", "Create a bank");
  create->add_option("name", f->name, "Bank name (A-Z a-z 0-9 _ -)")->required();
  create->add_option("--description", f->description, "What the list is and where it came from");
  create->add_option("--kind", f->kind, "alert (default) or suppress")->check(CLI::IsMember({"alert", "suppress"}));
  create->add_option("--threshold", f->threshold, "PDQ distance threshold, 0-63 (default 31)")->check(CLI::Range(0, 63));
  create->add_option("--min-quality", f->min_quality, "Minimum PDQ quality of a query (default 50)")->check(CLI::Range(0, 100));
  create->add_flag("--disabled", f->disabled, "Create the bank disabled");
  store_opt(create);
  create->callback([f, action] { *action = [f] { return Create(*f); }; });

  CLI::App* list = bank->add_subcommand("list", "List banks");
  list->add_option("--format", f->out_format, "text or jsonl (default: text on a terminal)");
  store_opt(list);
  list->callback([f, action] { *action = [f] { return List(*f); }; });

  CLI::App* show = bank->add_subcommand("show", "Show a bank and a sample of its entries");
  show->add_option("name", f->name)->required();
  show->add_option("--entries", f->show_entries, "How many entries to show (default 10)");
  show->add_option("--format", f->out_format, "text or json");
  store_opt(show);
  show->callback([f, action] { *action = [f] { return Show(*f); }; });

  CLI::App* imp = bank->add_subcommand("import", "Import a hash list file into a bank (all or nothing)");
  imp->add_option("name", f->name)->required();
  imp->add_option("file", f->file)->required()->check(CLI::ExistingFile);
  imp->add_option("--format", f->format, "auto (default), text, csv, vics, icse, ncmec, stopncii")
      ->check(CLI::IsMember({"auto", "text", "csv", "vics", "icse", "ncmec", "stopncii"}));
  imp->add_option("--signal-type", f->signal_type, "Plain text: type of bare 64-hex values, pdq (default) or sha256")
      ->check(CLI::IsMember({"pdq", "sha256"}));
  store_opt(imp);
  imp->callback([f, action] { *action = [f] { return Import(*f); }; });

  CLI::App* exp = bank->add_subcommand("export", "Export a bank as text, CSV or VICS 2.0 JSON");
  exp->add_option("name", f->name)->required();
  exp->add_option("--format", f->out_format, "text (default), csv or vics")->check(CLI::IsMember({"auto", "text", "csv", "vics"}));
  exp->add_option("-o,--output", f->output, "Write to this file instead of stdout");
  store_opt(exp);
  exp->callback([f, action] { *action = [f] { return Export(*f); }; });

  CLI::App* en = bank->add_subcommand("enable", "Enable matching against a bank");
  en->add_option("name", f->name)->required();
  store_opt(en);
  en->callback([f, action] { *action = [f] { return SetEnabled(*f, true); }; });
  CLI::App* dis = bank->add_subcommand("disable", "Disable matching against a bank (entries are kept)");
  dis->add_option("name", f->name)->required();
  store_opt(dis);
  dis->callback([f, action] { *action = [f] { return SetEnabled(*f, false); }; });

  CLI::App* set = bank->add_subcommand("set", "Change a bank's threshold, minimum quality, kind or description");
  set->add_option("name", f->name)->required();
  set->add_option("--threshold", f->set_threshold)->check(CLI::Range(0, 63));
  set->add_option("--min-quality", f->set_min_quality)->check(CLI::Range(0, 100));
  set->add_option("--kind", f->set_kind)->check(CLI::IsMember({"alert", "suppress"}));
  set->add_option("--description", f->set_description);
  store_opt(set);
  set->callback([f, action] { *action = [f] { return Set(*f); }; });

  CLI::App* rm = bank->add_subcommand("rm", "Delete a bank and all its entries");
  rm->add_option("name", f->name)->required();
  store_opt(rm);
  rm->callback([f, action] { *action = [f] { return Remove(*f); }; });

  return [action] { return (*action) ? (*action)() : kExitUsage; };
}

}  // namespace needle::cli
