// The run log of a migrator run (hectic.migration_run, created by sql/ in the bundle) and the
// recording of an interruption by a signal.
#include "common/migrate/run_log.hpp"

#include "common/base/log.hpp"
#include "common/migrate/migrate.hpp"

namespace hectic::migrate {
namespace {

const log::Logger k_log{"migrator"};

// A text[] literal of items: each quoted, '"' and '\' escaped (PostgreSQL manual, "Arrays",
// array value input).
std::string pg_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

} // namespace

RunLog::RunLog(pq::Connection& connection, const std::string& command) : m_connection(connection) {
  m_connection.exec("UPDATE hectic.migration_run SET status = 'aborted', "
                    "error = coalesce(error, 'the run ended without recording its outcome') "
                    "WHERE status = 'running'");
  m_id = m_connection
             .exec_params("INSERT INTO hectic.migration_run (build_id, command) VALUES ($1, $2) "
                          "RETURNING id",
                          {ci_build_id(), command})
             .scalar();
  k_log.debug("run log row {} (build {})", m_id, ci_build_id());
}

void RunLog::finish(const char* status, const std::vector<std::string>& migrations,
                    const std::string& error) {
  // After SIGINT/SIGTERM the interrupt cleanup records 'interrupted' itself.
  if (m_finished || interrupt::requested()) return;
  m_finished = true;
  try {
    m_connection.exec_params(
        "UPDATE hectic.migration_run SET status = $2, finished_at = clock_timestamp(), "
        "migrations = $3::text[], error = $4 WHERE id = $1",
        {m_id, std::string(status), pg_array(migrations),
         error.empty() ? std::optional<std::string>() : error});
  } catch (const std::exception& e) {
    k_log.warn("could not record the outcome in hectic.migration_run: {}", e.what());
  }
}

InterruptHook::InterruptHook(pq::Connection& connection, std::string url, std::string run_id)
    : m_cancel(PQgetCancel(connection.native()), &PQfreeCancel),
      m_canceller([cancel = m_cancel.get()] {
        if (!cancel) return;
        char buffer[256];
        PQcancel(cancel, buffer, sizeof buffer);
      }),
      m_guard([url = std::move(url), run_id = std::move(run_id)] {
        try {
          pq::Connection side(url, "migrator");
          side.exec_params("UPDATE hectic.migration_run SET status = 'interrupted', "
                           "finished_at = clock_timestamp(), error = 'interrupted by a signal' "
                           "WHERE id = $1 AND status = 'running'",
                           {run_id});
        } catch (...) {
          // Best effort: the next run marks the row aborted.
        }
        k_log.error("interrupted: the migration in progress was rolled back");
      }) {}

InterruptHook::~InterruptHook() = default;

} // namespace hectic::migrate
