#include "common/cluster/cluster.hpp"

#include <fmt/format.h>

#include "common/base/env.hpp"
#include "common/base/error.hpp"

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

} // namespace

Config Config::for_working_dir(const stdfs::path& working_dir) {
  Config config;
  config.working_dir = working_dir;
  config.database = env::get_or("PG_DATABASE", "testdb");
  config.port = parse_number("PG_PORT", env::get_or("PG_PORT", "5432"), 1, 65535,
                             "PG_PORT is a port number between 1 and 65535 (default 5432)");
  config.url_var = env::get_or("PG_URL_VAR", "PGURL");
  if (!env::is_identifier(config.url_var))
    throw Error(ExitCode::missing_argument,
                fmt::format("invalid PG_URL_VAR: '{}' is not a shell variable name", config.url_var),
                {"use letters, digits and '_', not starting with a digit (default PGURL)"});
  if (auto value = env::get("PG_LOG_PATH"); value && !value->empty()) config.log_path = stdfs::absolute(*value);
  if (auto value = env::get("PG_CONF_FILE"); value && !value->empty()) config.conf_file = stdfs::absolute(*value);
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
