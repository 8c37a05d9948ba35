#include "common/tap.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace hectic::tap {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// "# TODO" anywhere after the test number, in any case (TAP directives are case-insensitive).
bool has_todo(std::string_view line) {
  std::string lower(line);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("# todo") != std::string::npos;
}

} // namespace

Tally read(std::string_view output) {
  Tally tally;
  while (!output.empty()) {
    auto nl = output.find('\n');
    auto line = output.substr(0, nl);
    output.remove_prefix(nl == std::string_view::npos ? output.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (starts_with(line, "not ok")) {
      ++tally.total;
      if (!has_todo(line)) ++tally.failed;
    } else if (starts_with(line, "ok ") || line == "ok") {
      ++tally.total;
    } else if (starts_with(line, "1..")) {
      int planned = 0;
      auto digits = line.substr(3);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), planned);
      if (ec == std::errc() && (end == digits.data() + digits.size() || *end == ' ' || *end == '#'))
        tally.planned = planned;
    } else if (starts_with(line, "Bail out!")) {
      tally.bailed_out = true;
    }
  }
  return tally;
}

} // namespace hectic::tap
