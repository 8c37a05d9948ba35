#pragma once
// Environment variables: lookups with defaults, required ones (exit 3), boolean words.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hectic::env {

// nullopt when unset. An empty value is returned as "" (callers decide what empty means).
std::optional<std::string> get(const char* name);
// The value when set and non-empty, else fallback.
std::string get_or(const char* name, std::string fallback);
// The value when set and non-empty; else throws Error(missing_argument) naming the variable.
std::string require(const char* name);
// Set means anything but empty, "0", "false", "no" (case-insensitive).
bool truthy(std::optional<std::string> value);
bool flag(const char* name);
// A shell identifier: [A-Za-z_][A-Za-z0-9_]*.
bool is_identifier(std::string_view name);

// Project layout (README "Environment"); each throws Error(missing_argument) when it needs
// LOCAL_DIR and neither it nor the specific variable is set.
std::filesystem::path local_dir();
// The name of the project's scratch folder under LOCAL_DIR (clusters, backups, diff logs).
inline constexpr const char* k_focus_dir_name = "focus";
std::filesystem::path database_dir();
std::filesystem::path migration_dir();   // database tool default ($DATABASE_DIR/migration)
std::filesystem::path database_source();
std::filesystem::path hydrate_entrypoint(); // absolute: $DATABASE_SOURCE/$HYDRATE_ENTRYPOINT
std::filesystem::path profile_dir();
std::filesystem::path patch_sql();
std::filesystem::path pg_working_dir();  // PG_WORKING_DIR, else $LOCAL_DIR/focus/postgresql
std::filesystem::path cache_dir();       // HECTIC_CACHE_DIR, $XDG_CACHE_HOME/hectic, ~/.cache/hectic

} // namespace hectic::env
