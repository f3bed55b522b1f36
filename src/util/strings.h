// Small string helpers shared by the CLI and the service.
#pragma once

#include <string>
#include <vector>

namespace needle::util {

// "a,b,,c" -> {"a", "b", "c"} (empty fields dropped).
inline std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= s.size()) {
    size_t e = s.find(',', b);
    if (e == std::string::npos) e = s.size();
    if (e > b) out.push_back(s.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

}  // namespace needle::util
