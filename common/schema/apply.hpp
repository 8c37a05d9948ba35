#pragma once
// Applying a diff to a live database (README "migrator diff --apply"): under the migrator's
// advisory lock, the transactional statements in one transaction (retried when a lock times
// out), then the others one by one, in order.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/pg/pq.hpp"
#include "common/schema/diff.hpp"

namespace hectic::schema {

struct ApplyOptions {
  bool allow_drop = false;                 // destructive statements may run
  std::optional<std::string> lock_timeout; // per statement (PostgreSQL interval); 55P03 is retried
  std::string lock_wait = "60s";           // for the migrator's lock
  int attempts = 3;                        // of the transaction, when a lock times out
  bool take_lock = true;                   // false: the caller holds the migrator's lock already
  // Non-empty: the run is recorded in hectic.migration_run under this command (the bundle is
  // installed first), and SIGINT/SIGTERM cancel the running statement and record it.
  std::string run_log_command;
  // Runs once the lock is held, before anything changes (a plan's fingerprint check).
  std::function<void(pq::Connection&)> check_under_lock;
};

// SIGINT/SIGTERM cancel the running statement (interrupt::Canceller): the transaction rolls back.
// Throws Error(ambiguous) listing the destructive statements when they are not allowed (then
// nothing runs), Error(generic) naming the failing statement (the transaction rolled back).
void apply(const std::string& url, const std::vector<Statement>& statements, const ApplyOptions& options);

} // namespace hectic::schema
