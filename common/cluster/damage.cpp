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
  // What PostgreSQL 15 says when it cannot read its own data (the sources cited in damage.hpp).
  // Never a configuration text: a bad setting, a missing library, a busy socket or port, or a
  // data dir of another major version ("database files are incompatible" with a version
  // detail) is the user's to fix, so those texts are deliberately absent.
  static constexpr std::array k_patterns = {
      // postmaster.c checkControlFile: global/pg_control (or all of global/) is missing.
      std::string_view("could not find the database system"),
      // xlog.c ReadControlFile: the control file is unreadable, short, corrupt or foreign.
      std::string_view("could not read file \"global/pg_control\""),
      std::string_view("could not open file \"global/pg_control\""),
      std::string_view("could not read from control file"),
      std::string_view("incorrect checksum in control file"),
      std::string_view("initialized with PG_CONTROL_VERSION"),
      std::string_view("initialized with CATALOG_VERSION_NO"),
      std::string_view("possible byte ordering mismatch"),
      std::string_view("control file contains invalid"),
      // xlogrecovery.c: the checkpoint record or the WAL it needs is missing or corrupt.
      std::string_view("invalid checkpoint"),
      std::string_view("could not locate a valid checkpoint record"),
      std::string_view("could not locate required checkpoint record"),
      std::string_view("invalid primary checkpoint"),
      std::string_view("could not find redo location referenced by checkpoint record"),
      std::string_view("invalid resource manager ID in checkpoint record"),
      std::string_view("invalid xl_info in checkpoint record"),
      std::string_view("invalid length of checkpoint record"),
      std::string_view("WAL ends before consistent recovery point"),
      std::string_view("required WAL directory"),
      std::string_view("could not open file \"pg_wal/"),
      std::string_view("could not open directory \"pg_wal"),
      // relmapper.c and the backends' start (postinit.c): global/ and base/ files missing, a
      // half-made data dir (initdb killed before it wrote base/1/PG_VERSION).
      std::string_view("could not open file \"global/"),
      std::string_view("could not open directory \"global\""),
      std::string_view("relation mapping file"),
      std::string_view("is not a valid data directory"),
      std::string_view("The database subdirectory"),
      std::string_view("could not open file \"base/"),
      std::string_view("could not access status of transaction"),
      std::string_view("PANIC:"),
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
