// Each subcommand registers its flags on the CLI11 app and returns the action
// to run once parsing succeeded. The action returns an exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace needle::cli {

using Action = std::function<int()>;

Action RegisterHash(CLI::App& app);
Action RegisterBank(CLI::App& app);
Action RegisterLookup(CLI::App& app);  // lookup and match
Action RegisterBench(CLI::App& app);
Action RegisterInspect(CLI::App& app);
Action RegisterServe(CLI::App& app);  // serve and token
Action RegisterDetect(CLI::App& app);  // detect and eval-detector
Action RegisterCase(CLI::App& app, int argc, char** argv);  // scan, report, audit

// Shared flag: --format jsonl|text with "auto" = text on a terminal.
enum class OutputFormat { kJsonl, kText };
OutputFormat ResolveFormat(const std::string& flag);

}  // namespace needle::cli
