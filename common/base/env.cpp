#include "common/base/env.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/base/error.hpp"

namespace hectic::env {

std::optional<std::string> get(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string get_or(const char* name, std::string fallback) {
  auto value = get(name);
  return value && !value->empty() ? *value : fallback;
}

std::string require(const char* name) {
  auto value = get(name);
  if (!value || value->empty())
    throw Error(ExitCode::missing_argument, fmt::format("{} is not set", name),
                {fmt::format("export {}=... (see --help)", name)});
  return *value;
}

bool truthy(std::optional<std::string> value) {
  if (!value) return false;
  std::string lower = *value;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return !(lower.empty() || lower == "0" || lower == "false" || lower == "no");
}

bool flag(const char* name) { return truthy(get(name)); }

bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_';
  });
}

namespace {
// The value of a variable that is set and non-empty (an empty one means "use the default").
std::optional<std::filesystem::path> non_empty(const char* name) {
  auto value = get(name);
  if (value && !value->empty()) return std::filesystem::path(*value);
  return std::nullopt;
}
} // namespace

std::filesystem::path local_dir() { return require("LOCAL_DIR"); }

std::filesystem::path database_dir() {
  if (auto value = non_empty("DATABASE_DIR")) return *value;
  return local_dir() / "db";
}

std::filesystem::path migration_dir() {
  if (auto value = non_empty("MIGRATION_DIR")) return *value;
  return database_dir() / "migration";
}

std::filesystem::path database_source() {
  if (auto value = non_empty("DATABASE_SOURCE")) return *value;
  return database_dir() / "src";
}

std::filesystem::path hydrate_entrypoint() {
  return database_source() / get_or("HYDRATE_ENTRYPOINT", "entrypoint.sql");
}

std::filesystem::path profile_dir() {
  if (auto value = non_empty("PROFILE_DIR")) return *value;
  return local_dir();
}

std::filesystem::path patch_sql() {
  if (auto value = non_empty("PATCH_SQL")) return *value;
  return profile_dir() / "test-data.sql";
}

std::filesystem::path pg_working_dir() {
  if (auto value = non_empty("PG_WORKING_DIR")) return *value;
  if (auto local = non_empty("LOCAL_DIR")) return *local / k_focus_dir_name / "postgresql";
  throw Error(ExitCode::missing_argument, "neither PG_WORKING_DIR nor LOCAL_DIR is set",
              {"export LOCAL_DIR=\"$PWD\" (the cluster then lives in $LOCAL_DIR/focus/postgresql)"});
}

std::filesystem::path cache_dir() {
  if (auto value = non_empty("HECTIC_CACHE_DIR")) return *value;
  if (auto xdg = non_empty("XDG_CACHE_HOME")) return *xdg / "hectic";
  if (auto home = non_empty("HOME")) return *home / ".cache" / "hectic";
  return std::filesystem::temp_directory_path() / "hectic-cache";
}

} // namespace hectic::env
