// The recorded history (hectic.migration): reading it, comparing it with the directory, and
// refusing (or, with --force, warning about) a history the directory does not continue.
#include "common/migrate/history.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"

namespace hectic::migrate {
namespace {
const log::Logger k_log{"migrator"};
} // namespace

std::vector<Applied> read_history(pq::Connection& connection) {
  std::vector<Applied> out;
  if (!pq::relation_exists(connection, "hectic.migration")) return out;
  auto r = connection.exec(
      "SELECT name, hash, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
      "FROM hectic.migration ORDER BY name");
  for (int i = 0; i < r.rows(); ++i) out.push_back(Applied{r.get(i, 0), r.get(i, 1), r.get(i, 2)});
  return out;
}

HistoryCheck check_history(const std::vector<Migration>& files, const std::vector<Applied>& applied) {
  HistoryCheck check;
  for (std::size_t i = 0; i < applied.size(); ++i) {
    if (i >= files.size() || files[i].name != applied[i].name) {
      check.prefix_ok = false;
      check.first_difference = i;
      break;
    }
  }
  for (const auto& row : applied) {
    auto it = std::find_if(files.begin(), files.end(),
                           [&](const Migration& m) { return m.name == row.name; });
    if (it == files.end()) continue; // reported by the prefix check
    if (!it->up) {
      check.unreadable.push_back(row.name);
      continue;
    }
    if (hash_file(*it->up) != text::trim(row.hash)) check.tampered.push_back(row.name);
  }
  return check;
}

std::string describe_mismatch(const std::vector<Migration>& files,
                              const std::vector<Applied>& applied, std::size_t position) {
  auto at = [](std::size_t i, auto size, auto get) -> std::string {
    return i < size ? get(i) : std::string("(nothing)");
  };
  std::string out = fmt::format(
      "Migration history mismatch at position {}: database has {}, filesystem has {}\n",
      position + 1,
      at(position, applied.size(), [&](std::size_t i) { return applied[i].name; }),
      at(position, files.size(), [&](std::size_t i) { return files[i].name; }));
  out += "Database has:\n";
  for (std::size_t i = 0; i < applied.size(); ++i)
    out += fmt::format("  {:>3}{} {}\n", i + 1, i == position ? " >" : "  ", applied[i].name);
  if (applied.empty()) out += "  (no migrations)\n";
  out += "Filesystem has:\n";
  for (std::size_t i = 0; i < files.size(); ++i)
    out += fmt::format("  {:>3}{} {}\n", i + 1, i == position ? " >" : "  ", files[i].name);
  if (files.empty()) out += "  (no migrations)\n";
  // The shell migrator's full lists, which the shell tools' test suite greps.
  out += "Full filesystem migrations (in order):\n";
  for (std::size_t i = 0; i < files.size(); ++i) out += fmt::format("  {}. {}\n", i + 1, files[i].name);
  out += "Full database migrations (in order):\n";
  for (std::size_t i = 0; i < applied.size(); ++i) out += fmt::format("  {}. {}\n", i + 1, applied[i].name);
  return out;
}

void enforce_history(const std::vector<Migration>& files, const std::vector<Applied>& applied,
                     const HistoryCheck& check, bool force) {
  if (!check.prefix_ok) {
    auto report = describe_mismatch(files, applied, check.first_difference);
    if (!force) {
      if (!report.empty() && report.back() == '\n') report.pop_back();
      throw Error(ExitCode::ambiguous, report,
                  {"the applied migrations must be, in order, the first migrations of the "
                   "directory; pass --force to proceed anyway"});
    }
    k_log.warn("--force: proceeding past a migration history mismatch\n{}", report);
  }
  for (const auto& name : check.unreadable) {
    if (!force)
      throw Error(ExitCode::ambiguous,
                  fmt::format("applied migration {} has no up file any more", name),
                  {"restore its up.sql, or pass --force to proceed anyway"});
    k_log.warn("--force: applied migration {} has no up file any more", name);
  }
  for (const auto& name : check.tampered) {
    auto it = std::find_if(applied.begin(), applied.end(), [&](const Applied& a) { return a.name == name; });
    auto file = std::find_if(files.begin(), files.end(), [&](const Migration& m) { return m.name == name; });
    std::string detail = fmt::format("applied migration {} changed since it was applied: {} "
                                     "hashes to {}, recorded {}",
                                     name, file->up->string(), hash_file(*file->up), it->hash);
    if (!force)
      throw Error(ExitCode::ambiguous, detail,
                  {"restore the applied file (write a new migration for new changes), or pass "
                   "--force to proceed anyway"});
    k_log.warn("--force: {}", detail);
  }
}

namespace {

bool is_applied(const std::vector<Applied>& applied, const std::string& name) {
  return std::any_of(applied.begin(), applied.end(), [&](const Applied& a) { return a.name == name; });
}

} // namespace

void warn_left_behind(const std::vector<Migration>& files, const std::vector<Applied>& applied,
                      std::size_t position) {
  for (std::size_t i = 0; i < std::min(position, files.size()); ++i) {
    if (is_applied(applied, files[i].name)) continue;
    k_log.warn("--force: {} is left behind, unapplied, before the database's current migration {}", files[i].name,
               files[position - 1].name);
    const std::string back = i == 0 ? std::string("migrate down all") : "migrate to " + files[i - 1].name;
    k_log.warn("  run its up.sql yourself and record it with `migrator mark-applied {} --force`, or go back "
               "with `migrator {} --force` and up again",
               files[i].name, back);
  }
}

std::size_t landing_position(const std::vector<Migration>& files, const std::vector<Applied>& applied,
                             std::size_t current, std::size_t target) {
  std::size_t position = std::min(target, files.size());
  if (target >= current) return position;
  while (position > 0 && !is_applied(applied, files[position - 1].name)) --position;
  return position;
}

std::size_t current_position(const std::vector<Migration>& files,
                             const std::vector<Applied>& applied, const HistoryCheck& check) {
  if (check.prefix_ok) return applied.size();
  std::size_t position = 0;
  for (const auto& a : applied)
    for (std::size_t i = 0; i < files.size(); ++i)
      if (files[i].name == a.name) position = std::max(position, i + 1);
  return position;
}

} // namespace hectic::migrate
