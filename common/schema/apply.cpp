// Apply: refuse before connecting, lock, one transaction, then the non-transactional steps.
#include "common/schema/apply.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"
#include "common/migrate/run_log.hpp"
#include "common/migrate/session.hpp"
#include "common/pg/pq.hpp"
#include "common/pg/quote.hpp"

namespace hectic::schema {
namespace {

const log::Logger k_log("migrator diff");

void refuse_destructive(const std::vector<Statement>& statements) {
  std::vector<std::string> listed;
  for (const auto& s : statements)
    if (s.destructive && !s.cleanup) listed.push_back("  " + s.sql);
  if (listed.empty()) return;
  throw Error(ExitCode::ambiguous,
              fmt::format("--apply refused: {} destructive statement{} need --allow-drop; nothing was run:\n{}",
                          listed.size(), listed.size() == 1 ? "" : "s", fmt::join(listed, "\n")),
              {"review them, then run again with --allow-drop, or use --rename-before-drop to keep the data"});
}

void run_statement(pq::Connection& connection, const Statement& s) {
  try {
    connection.exec(s.sql);
  } catch (const pq::SqlError& e) {
    throw pq::SqlError(fmt::format("{} failed: {}", s.sql, e.server_message()), e.sqlstate(), e.detail(), e.hint());
  }
}

// The transactional part; true when done, false when a lock timed out (rolled back, retry).
bool run_transaction(pq::Connection& connection, const std::vector<Statement>& statements, const ApplyOptions& options) {
  pq::Transaction transaction(connection);
  connection.exec("SET LOCAL check_function_bodies = off");
  if (options.lock_timeout) connection.exec("SET LOCAL lock_timeout = " + pq::quote_literal(*options.lock_timeout));
  try {
    for (const auto& s : statements)
      if (s.transactional && !s.cleanup) run_statement(connection, s);
  } catch (const pq::SqlError& e) {
    if (!e.is(pq::sqlstate::lock_not_available)) throw;
    k_log.warn("lock timeout: {}; rolled back, retrying", e.server_message());
    return false;
  }
  transaction.commit();
  return true;
}

void run_outside(pq::Connection& connection, const std::vector<Statement>& statements, const ApplyOptions& options,
                 bool before) {
  if (options.lock_timeout) connection.exec("SET lock_timeout = " + pq::quote_literal(*options.lock_timeout));
  for (const auto& s : statements) {
    if (s.transactional || s.cleanup || s.before_transaction != before) continue;
    k_log.info("outside the transaction: {}", s.sql);
    for (int attempt = 1;; ++attempt) {
      try {
        run_statement(connection, s);
        break;
      } catch (const pq::SqlError& e) {
        if (!e.is(pq::sqlstate::lock_not_available) || attempt >= options.attempts) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
      }
    }
  }
}

void run_all(pq::Connection& connection, const std::vector<Statement>& statements, const ApplyOptions& options) {
  run_outside(connection, statements, options, true);
  for (int attempt = 1;; ++attempt) {
    if (run_transaction(connection, statements, options)) break;
    if (attempt >= options.attempts)
      throw Error(ExitCode::generic, fmt::format("--apply gave up after {} lock timeouts; nothing was changed", attempt),
                  {"retry when the tables are less busy, or raise --lock-timeout"});
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
  run_outside(connection, statements, options, false);
}

// Only a database the migrator manages has a run log; installing the bundle here would add
// its event triggers to a schema that is compared against a file.
bool has_run_log(pq::Connection& connection) {
  return connection.exec("SELECT to_regclass('hectic.migration_run') IS NOT NULL").scalar() == "t";
}

} // namespace

void apply(const std::string& url, const std::vector<Statement>& statements, const ApplyOptions& options) {
  if (!options.allow_drop) refuse_destructive(statements);
  migrate::Options lock_options;
  lock_options.url = url;
  lock_options.lock_wait = options.lock_wait;
  std::optional<migrate::MigrationLock> lock;
  if (options.take_lock) lock.emplace(lock_options);
  pq::Connection connection(url, "migrator diff");
  // A signal cancels the running statement (a long ALTER, a wait for a table lock), so the
  // transaction rolls back now rather than when the server notices we are gone; also without
  // a run log (InterruptHook below cancels too: a second PQcancel is harmless). The canceller
  // is declared after the PGcancel it uses, so it is unregistered before that is freed.
  std::unique_ptr<PGcancel, void (*)(PGcancel*)> cancel(PQgetCancel(connection.native()), &PQfreeCancel);
  interrupt::Canceller canceller([handle = cancel.get()] {
    if (!handle) return;
    char buffer[256];
    PQcancel(handle, buffer, sizeof buffer);
  });
  if (interrupt::requested()) throw Error(ExitCode::interrupted, "interrupted by a signal before the apply; nothing was run");
  if (options.check_under_lock) options.check_under_lock(connection);
  if (options.run_log_command.empty()) return run_all(connection, statements, options);
  std::optional<migrate::RunLog> log;
  if (has_run_log(connection)) log.emplace(connection, options.run_log_command);
  else k_log.warn("this run is not recorded: {} has no hectic.migration_run (`migrator init` creates it)",
                  connection.describe());
  std::optional<migrate::InterruptHook> hook;
  if (log) hook.emplace(connection, url, log->id());
  try {
    run_all(connection, statements, options);
  } catch (const std::exception& e) {
    if (log) log->finish("failed", {}, e.what());
    throw;
  }
  if (log) log->finish("success", {summary(statements)});
}

} // namespace hectic::schema
