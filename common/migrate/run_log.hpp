#pragma once
#include <memory>
// Internal to the migrate layer: the run log (hectic.migration_run) of one run, and the hook
// that records an interruption in it when a signal arrives.
#include <libpq-fe.h>

#include <string>
#include <vector>

#include "common/base/interrupt.hpp"
#include "common/pg/pq.hpp"

namespace hectic::migrate {

// The run log row of this run (hectic.migration_run), written outside the migrations'
// transactions. Rows left 'running' by a run that died are marked 'aborted' (we hold the lock,
// so no other run can be in progress).
class RunLog {
public:
  RunLog(pq::Connection& connection, const std::string& command);

  // The id of this run's row.
  const std::string& id() const { return m_id; }

  // Records the outcome; only the first call counts.
  void finish(const char* status, const std::vector<std::string>& migrations,
              const std::string& error = {});

private:
  pq::Connection& m_connection;
  std::string m_id;
  bool m_finished = false;
};

// Cancels the running statement and records the interruption when SIGINT/SIGTERM arrives (the
// interrupt unit then exits 130; the server rolls back the open transaction).
class InterruptHook {
public:
  InterruptHook(pq::Connection& connection, std::string url, std::string run_id);
  ~InterruptHook();
  InterruptHook(const InterruptHook&) = delete;
  InterruptHook& operator=(const InterruptHook&) = delete;

private:
  // Members end in reverse order: the guard, then the canceller (after which the watcher never
  // calls PQcancel), and only then the PGcancel is freed.
  std::unique_ptr<PGcancel, void (*)(PGcancel*)> m_cancel;
  interrupt::Canceller m_canceller;
  interrupt::CleanupGuard m_guard;
};

} // namespace hectic::migrate
