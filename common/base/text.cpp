#include "common/base/text.hpp"

#include <chrono>
#include <ctime>

namespace hectic::text {

std::string_view trim(std::string_view text) {
  constexpr std::string_view k_space = " \t\r\n\f\v";
  auto begin = text.find_first_not_of(k_space);
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(k_space);
  return text.substr(begin, end - begin + 1);
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::optional<std::string> shell_special_character(std::string_view text) {
  auto at = text.find_first_of("$`\"\\\n");
  if (at == std::string_view::npos) return std::nullopt;
  if (text[at] == '\n') return std::string("newline");
  return std::string(1, text[at]);
}

std::string utc_now(const char* strftime_format) {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[64];
  std::size_t n = std::strftime(buffer, sizeof buffer, strftime_format, &tm);
  return std::string(buffer, n);
}

std::string utc_stamp_for_filename() { return utc_now("%Y-%m-%dT%H-%M-%SZ"); }
std::string utc_now_text() { return utc_now("%Y-%m-%d %H:%M:%S UTC"); }
std::string iso8601_utc(std::string_view utc_text) {
  std::string text(utc_text);
  if (text.size() == 23 && text.compare(19, 4, " UTC") == 0) text.resize(19);
  if (text.size() != 19 || text[10] != ' ') return std::string(utc_text);
  text[10] = 'T';
  return text + "Z";
}
std::string utc_now_iso8601() { return utc_now("%Y-%m-%dT%H:%M:%SZ"); }
std::string utc_compact_stamp() { return utc_now("%Y%m%d%H%M%S"); }

} // namespace hectic::text
