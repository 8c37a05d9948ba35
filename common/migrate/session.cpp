// The migrator's session with the target database: the URL check, the connection with the
// session settings of --lock-timeout/--statement-timeout, the recorded history.
#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "common/migrate/migrate.hpp"

namespace hectic::migrate {
namespace {
const log::Logger k_log{"migrator"};
} // namespace

void require_url(const Options& options) {
  if (options.url.empty())
    throw Error(ExitCode::missing_argument, "no database url: DB_URL is not set",
                {"pass -u/--db-url URL or set DB_URL"});
}

std::unique_ptr<pq::Connection> connect(const Options& options) {
  require_url(options);
  auto connection = std::make_unique<pq::Connection>(options.url, "migrator");
  auto set = [&](const char* setting, const std::optional<std::string>& value, const char* option) {
    if (!value) return;
    try {
      connection->exec_params("SELECT set_config($1, $2, false)", {std::string(setting), *value});
    } catch (const pq::SqlError& e) {
      throw Error(ExitCode::generic, fmt::format("invalid {} value '{}': {}", option, *value,
                                                 e.server_message()),
                  {"use PostgreSQL interval text: 1s, 500ms, 2min"});
    }
    k_log.debug("session {} = {}", setting, *value);
  };
  // A migrator killed mid-statement (kill -9, CI timeout) must not leave its backend running
  // the rest of a long statement with locks held: the server checks the client every second
  // (PostgreSQL 14+; older servers ignore it).
  try {
    connection->exec("SET client_connection_check_interval = '1s'");
  } catch (const pq::SqlError&) {
  }
  set("lock_timeout", options.lock_timeout, "--lock-timeout");
  set("statement_timeout", options.statement_timeout, "--statement-timeout");
  return connection;
}

std::vector<Applied> read_history(pq::Connection& connection) {
  std::vector<Applied> out;
  if (!pq::relation_exists(connection, "hectic.migration")) return out;
  auto r = connection.exec(
      "SELECT name, hash, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
      "FROM hectic.migration ORDER BY name");
  for (int i = 0; i < r.rows(); ++i) out.push_back(Applied{r.get(i, 0), r.get(i, 1), r.get(i, 2)});
  return out;
}

} // namespace hectic::migrate
