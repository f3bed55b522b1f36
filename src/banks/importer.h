// Imports a hash-list file into a bank, all or nothing: the file is parsed
// record by record inside one store transaction; the first malformed record
// rolls everything back and the error names the file, line or record, and
// the reason. Re-importing the same file changes nothing.
#pragma once

#include <string>

#include "banks/list_format.h"
#include "store/bank_store.h"

namespace needle::banks {

struct ImportReport {
  ListFormat format = ListFormat::kAuto;
  std::string file_sha256;
  store::ImportCounts counts;
};

Result<ImportReport> ImportFile(store::BankStore& store, const std::string& bank, const std::string& path,
                                ListFormat format, const ParseOptions& options = {});

}  // namespace needle::banks
