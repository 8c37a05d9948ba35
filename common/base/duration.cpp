#include "common/base/duration.hpp"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "common/base/error.hpp"

namespace hectic::duration {
namespace {

// Milliseconds per unit; ns and us round to whole milliseconds at the end.
double unit_ms(std::string_view unit) {
  if (unit == "ns") return 1e-6;
  if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") return 1e-3;
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  return -1;
}

[[noreturn]] void bad(std::string_view what, std::string_view text, std::string_view why) {
  throw Error(ExitCode::unknown_argument,
              fmt::format("{}: expected a duration such as 30s, 1m, 1h30m or 500ms, got '{}' ({})", what, text, why));
}

} // namespace

std::chrono::milliseconds parse_go(std::string_view text, std::string_view what) {
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) bad(what, text, "empty");
  if (text.front() == '-') bad(what, text, "negative");
  std::size_t i = text.front() == '+' ? 1 : 0;
  if (i == text.size()) bad(what, text, "no number");
  double total = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    auto number = text.substr(start, i - start);
    if (number.empty() || number == "." || number.find('.') != number.rfind('.'))
      bad(what, text, fmt::format("no number at '{}'", text.substr(start)));
    std::size_t unit_start = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') ++i;
    auto unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) bad(what, text, fmt::format("missing unit after '{}'; units: ns, us, ms, s, m, h", number));
    double factor = unit_ms(unit);
    if (factor < 0) bad(what, text, fmt::format("unknown unit '{}'; units: ns, us, ms, s, m, h", unit));
    total += std::stod(std::string(number)) * factor;
  }
  if (total > 1e15) bad(what, text, "too large");
  return std::chrono::milliseconds(static_cast<long long>(std::llround(total)));
}

std::string format(std::chrono::milliseconds value) {
  long long ms = value.count();
  if (ms == 0) return "0s";
  if (ms < 1000) return fmt::format("{}ms", ms);
  std::string out;
  if (ms >= 3'600'000) out += fmt::format("{}h", ms / 3'600'000), ms %= 3'600'000;
  if (ms >= 60'000) out += fmt::format("{}m", ms / 60'000), ms %= 60'000;
  if (ms >= 1000 || ms > 0) {
    if (ms % 1000 == 0) out += fmt::format("{}s", ms / 1000);
    else out += fmt::format("{}.{:03}s", ms / 1000, ms % 1000);
  }
  return out;
}

} // namespace hectic::duration
