#include "common/script/tap.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace hectic::tap {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// A TODO directive: the text after the first unescaped '#' (descriptions escape theirs as
// "\#") starts with TODO, in any case.
bool has_todo(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
      continue;
    }
    if (line[i] != '#') continue;
    auto rest = line.substr(i + 1);
    rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
    std::string word(rest.substr(0, 4));
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
    return word == "todo";
  }
  return false;
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
