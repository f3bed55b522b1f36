// Small helpers shared by subcommands: store opening, error printing.
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include "exit_codes.h"
#include "needle/status.h"
#include "store/bank_store.h"

namespace needle::cli {

// Prints "needle CMD: message" to stderr and returns the exit code for it.
inline int Fail(const std::string& cmd, const Status& st) {
  std::cerr << "needle " << cmd << ": " << st.message() << '\n';
  switch (st.code()) {
    case Code::kInvalidArgument:
    case Code::kNotFound:
    case Code::kAlreadyExists: return kExitUsage;
    case Code::kTruncated:
    case Code::kCorrupt:
    case Code::kUnsupported:
    case Code::kTooLarge: return kExitSomeFailed;
    default: return kExitFatal;
  }
}

inline std::string StoreDir(const std::string& flag) { return flag.empty() ? store::DefaultStoreDir() : flag; }

}  // namespace needle::cli
