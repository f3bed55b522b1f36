// Writes a file so that a reader sees either the old file or the whole new
// one, never a torn one: a temporary file beside it, written, fsync'ed and
// renamed over it. For the index snapshot and the files saved with it.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "needle/status.h"

namespace needle::util {

// `body` writes the content and returns false if a write failed; `what`
// names the file in the error ("the index snapshot").
Status WriteFileAtomically(const std::string& path, const std::function<bool(FILE*)>& body, const std::string& what);

// fwrite of n bytes that reports success (n == 0 writes nothing).
inline bool WriteAll(FILE* f, const void* p, size_t n) { return n == 0 || std::fwrite(p, 1, n, f) == n; }

}  // namespace needle::util
