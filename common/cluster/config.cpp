#include "common/cluster/cluster.hpp"

#include <set>
#include <string_view>

#include <fmt/format.h>

#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/text.hpp"

namespace hectic::cluster {
namespace stdfs = std::filesystem;

namespace {

// A whole number in [min, max] read from the variable `name`; else Error(missing_argument).
int parse_number(const char* name, const std::string& text, int min, int max, std::string hint) {
  long value = 0;
  bool ok = !text.empty() && text.size() <= 9;
  for (char c : text) {
    if (c < '0' || c > '9') ok = false;
    else value = value * 10 + (c - '0');
  }
  if (!ok || value < min || value > max)
    throw Error(ExitCode::missing_argument, fmt::format("invalid {}: '{}'", name, text), {std::move(hint)});
  return static_cast<int>(value);
}

// The account the server runs as when we are root: PG_RUN_AS, else "postgres". Never root.
process::Account server_account() {
  auto requested = env::get("PG_RUN_AS");
  bool explicit_account = requested && !requested->empty();
  std::string name = explicit_account ? *requested : "postgres";
  if (name == "root")
    throw Error(ExitCode::missing_argument, "PG_RUN_AS names root: PostgreSQL refuses to run as root",
                {"set PG_RUN_AS to an unprivileged account, e.g. PG_RUN_AS=postgres"});
  auto account = process::lookup_account(name);
  if (!account || account->uid == 0) {
    throw Error(ExitCode::missing_argument,
                explicit_account
                    ? fmt::format("PG_RUN_AS names an unknown account: '{}'", name)
                    : std::string("running as root and there is no 'postgres' account to run the server"),
                {"PostgreSQL refuses to run as root: set PG_RUN_AS to an unprivileged account "
                 "(e.g. PG_RUN_AS=nobody), or create one: useradd --system postgres",
                 "or run postgres-init as an unprivileged user"});
  }
  return *account;
}

// pg_ctl runs the postmaster through /bin/sh with the data dir and the log path inside double
// quotes (src/bin/pg_ctl/pg_ctl.c, start_postmaster): what the shell expands there is refused.
void require_shell_safe(const char* variable, const stdfs::path& path) {
  if (auto special = text::shell_special_character(path.native()))
    throw Error(ExitCode::missing_argument,
                fmt::format("{} holds {} ({}), which the shell that pg_ctl starts the server with would interpret",
                            variable, *special == "newline" ? "a newline" : fmt::format("'{}'", *special), path.string()),
                {"choose a path without $, `, \", \\ or newlines"});
}

// The variable a working dir came from, for messages.
const char* working_dir_variable() {
  auto value = env::get("PG_WORKING_DIR");
  return value && !value->empty() ? "PG_WORKING_DIR" : "LOCAL_DIR";
}

// PG_URL_VAR names a variable we export: never one the shell, the loader or libpq reads.
bool reserved_variable(std::string_view name) {
  static const std::set<std::string_view> k_shell = {"PATH", "HOME", "SHELL", "IFS", "ENV", "BASH_ENV", "CDPATH",
                                                      "PWD", "OLDPWD", "USER", "LOGNAME", "TERM", "LANG", "TMPDIR",
                                                      "PS1", "PS2", "PS4", "PROMPT_COMMAND", "SHELLOPTS", "BASHOPTS"};
  if (k_shell.count(name) != 0) return true;
  auto starts = [&](std::string_view prefix) { return name.substr(0, prefix.size()) == prefix; };
  // PGURL is the default; every other PG* name is libpq's or ours (PGHOST, PGPASSWORD, PG_PORT ...).
  return starts("LD_") || starts("LC_") || starts("BASH_FUNC_") || (starts("PG") && name != "PGURL") ||
         starts("POSTGRESQL_");
}

std::string url_variable() {
  auto name = env::get_or("PG_URL_VAR", "PGURL");
  if (!env::is_identifier(name))
    throw Error(ExitCode::missing_argument, fmt::format("invalid PG_URL_VAR: '{}' is not a shell variable name", name),
                {"use letters, digits and '_', not starting with a digit (default PGURL)"});
  if (reserved_variable(name))
    throw Error(ExitCode::missing_argument,
                fmt::format("invalid PG_URL_VAR: '{}' is a variable the shell, the loader or libpq relies on", name),
                {"name a variable of your own, e.g. PG_URL_VAR=DATABASE_URL (default PGURL)"});
  return name;
}

} // namespace

Config Config::for_working_dir(const stdfs::path& working_dir) {
  Config config;
  config.working_dir = working_dir;
  config.database = env::get_or("PG_DATABASE", "testdb");
  config.port = parse_number("PG_PORT", env::get_or("PG_PORT", "5432"), 1, 65535,
                             "PG_PORT is a port number between 1 and 65535 (default 5432)");
  require_shell_safe(working_dir_variable(), working_dir);
  config.url_var = url_variable();
  if (auto value = env::get("PG_LOG_PATH"); value && !value->empty()) {
    config.log_path = stdfs::absolute(*value);
    require_shell_safe("PG_LOG_PATH", *config.log_path);
  }
  if (auto value = env::get("PG_CONF_FILE"); value && !value->empty()) {
    config.conf_file = stdfs::absolute(*value);
    require_shell_safe("PG_CONF_FILE", *config.conf_file);
  }
  if (auto value = env::get("PG_SHARED_PRELOAD_LIBRARIES")) {
    config.preload_libraries = *value;
    config.preload_explicit = true;
  }
  config.logging = !env::flag("PG_DISABLE_LOGGING");
  config.reuse = env::flag("PG_REUSE");
  auto cache = env::get("PG_INIT_CACHE");
  config.template_cache = !cache || cache->empty() || env::truthy(cache);
  if (auto spares = env::get("PG_INIT_SPARES"); spares && !spares->empty())
    config.spares = parse_number("PG_INIT_SPARES", *spares, 0, 8,
                                 "PG_INIT_SPARES is the number of template copies kept ready, 0 to 8 (default 2)");
  if (auto keys = env::get("HECTIC_CACHE_MAX_KEYS"); keys && !keys->empty())
    config.cache_max_keys =
        parse_number("HECTIC_CACHE_MAX_KEYS", *keys, 1, 1000,
                     "HECTIC_CACHE_MAX_KEYS is the number of cached templates kept, 1 to 1000 (default 4)");
  try {
    config.cache_dir = env::cache_dir();
  } catch (const Error&) {
    config.template_cache = false;
  }
  if (process::running_as_root()) config.run_as = server_account();
  return config;
}

Config Config::from_env() {
  auto working_dir = env::pg_working_dir();
  return for_working_dir(stdfs::absolute(working_dir));
}

} // namespace hectic::cluster
