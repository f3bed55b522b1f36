// needle: find the needle in the haystack. One binary, one subcommand per job.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "commands.h"
#include "exit_codes.h"
#include "needle/version.h"

namespace needle::cli {

OutputFormat ResolveFormat(const std::string& flag) {
  if (flag == "jsonl" || flag == "json") return OutputFormat::kJsonl;
  if (flag == "text") return OutputFormat::kText;
  return ::isatty(STDOUT_FILENO) ? OutputFormat::kText : OutputFormat::kJsonl;
}

}  // namespace needle::cli

int main(int argc, char** argv) {
  using namespace needle::cli;
  CLI::App app{
      "needle: offline triage of image evidence. It answers three questions for every file:\n"
      "is it known (cryptographic and PDQ hashes against hash lists), is it real or synthetic\n"
      "(provenance and pixel evidence), and what should a person look at first.\n\n"
      "Evidence is opened read-only and never modified; nothing leaves this machine.\n"
      "Exit codes: 0 all files processed, 1 some files failed (each has an error record),\n"
      "2 usage error, 3 the run could not continue.",
      "needle"};
  app.set_version_flag("--version", std::string("needle ") + NEEDLE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  Action hash = RegisterHash(app);
  Action bank = RegisterBank(app);
  Action lookup = RegisterLookup(app);
  Action bench = RegisterBench(app);
  Action inspect = RegisterInspect(app);
  Action serve = RegisterServe(app);
  Action detect = RegisterDetect(app);
  Action case_cmds = RegisterCase(app, argc, argv);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  for (CLI::App* sub : app.get_subcommands()) {
    const std::string& name = sub->get_name();
    if (name == "hash") return hash();
    if (name == "bank") return bank();
    if (name == "lookup" || name == "match") return lookup();
    if (name == "bench") return bench();
    if (name == "inspect") return inspect();
    if (name == "serve" || name == "token") return serve();
    if (name == "detect" || name == "eval-detector") return detect();
    if (name == "scan" || name == "report" || name == "audit") return case_cmds();
  }
  std::cerr << app.help();
  return kExitUsage;
}
