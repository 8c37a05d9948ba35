// The migrator's session with the target database: the URL check, the connection with the
// session settings of --lock-timeout/--statement-timeout, and the migration lock on its own
// connection.
#include "common/migrate/session.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/log.hpp"

namespace hectic::migrate {
namespace {

const log::Logger k_log{"migrator"};
const log::Logger k_lock_log{"migrator lock"};

// Session-level advisory lock key of the migrator ("hectic" + 'm'), taken on a dedicated
// connection that never holds a transaction open (so CREATE INDEX CONCURRENTLY in the work
// session does not wait for it).
constexpr long long k_lock_key = 0x686563746963006DLL;

// Interval text -> seconds, as the server parses it.
double interval_seconds(pq::Connection& connection, const std::string& text, const char* option) {
  try {
    return std::stod(connection.exec_params("SELECT extract(epoch FROM $1::interval)::float8", {text})
                         .scalar());
  } catch (const pq::SqlError&) {
    throw Error(ExitCode::generic, fmt::format("invalid {} value '{}'", option, text),
                {"use PostgreSQL interval text: 30s, 500ms, 2min"});
  }
}

} // namespace

void require_url(const Options& options) {
  if (options.url.empty())
    throw Error(ExitCode::missing_argument, "no database URL: pass -u/--db-url, or set DB_URL",
                {"eval \"$(postgres-init)\" exports PGURL: migrator -u \"$PGURL\" ..."});
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

MigrationLock::MigrationLock(const Options& options)
    : m_connection(std::make_unique<pq::Connection>(options.url, "migrator")) {
  const double wait = interval_seconds(*m_connection, options.lock_wait, "--lock-wait");
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long long>(wait * 1000));
  const pq::Params key{std::to_string(k_lock_key)};
  bool announced = false;
  auto delay = std::chrono::milliseconds(20);
  for (;;) {
    if (m_connection->exec_params("SELECT pg_try_advisory_lock($1::bigint)", key).scalar() == "t")
      break;
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error(ExitCode::generic,
                  fmt::format("timed out after {} waiting for the migration lock{}",
                              options.lock_wait, holder()),
                  {"another migrator runs against this database; retry later or raise "
                   "--lock-wait"});
    if (!announced) {
      k_lock_log.info("waiting up to {} for the migration lock{}", options.lock_wait, holder());
      announced = true;
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(200));
  }
  k_lock_log.debug("migration lock taken");
}

MigrationLock::~MigrationLock() {
  try {
    m_connection->exec_params("SELECT pg_advisory_unlock($1::bigint)",
                              {std::to_string(k_lock_key)});
  } catch (...) {
    // Closing the connection releases it anyway.
  }
}

std::string MigrationLock::holder() {
  try {
    auto r = m_connection->exec_params(
        "SELECT a.pid, coalesce(a.application_name, ''), "
        "       to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
        "FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        "  AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid "
        "  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        {std::to_string(k_lock_key)});
    if (r.rows() == 0) return {};
    return fmt::format(" (held by pid {}, {}, connected since {} UTC)", r.get(0, 0),
                       r.get(0, 1).empty() ? "no application_name" : r.get(0, 1), r.get(0, 2));
  } catch (...) {
    return {};
  }
}

} // namespace hectic::migrate
