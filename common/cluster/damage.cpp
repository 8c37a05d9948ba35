#include "common/cluster/damage.hpp"

#include <cstdio>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/text.hpp"

namespace hectic::cluster::detail {

bool log_shows_damage(std::string_view log_text) {
  // Reading its own data failed: control file, checkpoint, WAL, global/ files.
  static constexpr std::array<std::string_view, 16> k_patterns = {
      "could not read file \"global/pg_control\"",
      "could not open file \"global/pg_control\"",
      "could not read from control file",
      "incorrect checksum in control file",
      "initialized with PG_CONTROL_VERSION",
      "possible byte ordering mismatch",
      "invalid checkpoint",
      "could not locate a valid checkpoint record",
      "could not locate required checkpoint record",
      "invalid primary checkpoint record",
      "could not find redo location referenced by checkpoint record",
      "could not open file \"global/",
      "could not open directory \"global\"",
      "could not open file \"pg_wal/",
      "invalid resource manager ID in checkpoint record",
      "PANIC:",
  };
  return std::any_of(k_patterns.begin(), k_patterns.end(),
                     [&](std::string_view p) { return log_text.find(p) != std::string_view::npos; });
}

std::vector<std::string> tail_lines(std::string_view text, std::size_t max_lines) {
  std::vector<std::string> lines;
  for (auto line : text::split_lines(text))
    if (!text::trim(line).empty()) lines.emplace_back(line);
  if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - static_cast<long>(max_lines));
  return lines;
}

std::filesystem::path move_damaged_aside(const std::filesystem::path& working_dir,
                                         const std::filesystem::path& data_dir) {
  auto broken = working_dir / ("data.broken-" + text::utc_stamp_for_filename());
  if (::rename(data_dir.c_str(), broken.c_str()) != 0)
    throw Error(ExitCode::generic, fmt::format("could not move the damaged {} aside: {}", data_dir.string(),
                                               std::strerror(errno)));
  return broken;
}

} // namespace hectic::cluster::detail
