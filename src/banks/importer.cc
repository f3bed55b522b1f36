#include "banks/importer.h"

#include <fstream>

#include "hash/digest.h"

namespace needle::banks {

Result<ImportReport> ImportFile(store::BankStore& store, const std::string& bank, const std::string& path,
                                ListFormat format, const ParseOptions& options) {
  ImportReport report;
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open");
  // The file's SHA-256 goes into the import log; it also reads the head for
  // format detection. One extra sequential read, cheap next to parsing.
  {
    hash::MultiDigest d;
    std::vector<char> buf(1 << 20);
    std::string head;
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
      auto got = static_cast<size_t>(in.gcount());
      d.Update(reinterpret_cast<const uint8_t*>(buf.data()), got);
      if (head.size() < 65536) head.append(buf.data(), std::min(got, 65536 - head.size()));
    }
    report.file_sha256 = d.Finish().sha256;
    report.format = format == ListFormat::kAuto ? DetectListFormat(head) : format;
    in.clear();
    in.seekg(0);
  }
  NEEDLE_ASSIGN_OR_RETURN(auto session, store.BeginImport(bank));
  Status st = ParseList(in, report.format, options, [&](HashRecord&& r) { return session->Apply(r); });
  if (!st.ok()) return st.Annotate(path + " (" + ListFormatName(report.format) + ")");  // session rolls back
  NEEDLE_ASSIGN_OR_RETURN(report.counts, session->Commit(path, report.file_sha256, ListFormatName(report.format)));
  return report;
}

}  // namespace needle::banks
