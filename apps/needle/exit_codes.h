// Exit codes of the needle binary. Stable: scripts depend on them.
#pragma once

namespace needle::cli {

constexpr int kExitOk = 0;        // every file was processed
constexpr int kExitSomeFailed = 1;  // the run finished, some files could not be read or decoded
constexpr int kExitUsage = 2;     // bad flags or arguments; nothing was done
constexpr int kExitFatal = 3;     // the run could not continue (store unusable, disk full...)

}  // namespace needle::cli
