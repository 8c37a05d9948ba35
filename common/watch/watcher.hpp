#pragma once
// `migrator watch` (README "migrator watch"): poll a store for <prefix>/<version>/<schema-file>,
// take the lexicographically highest version, and unless <prefix>/<version>/<completed-file>
// exists, apply that schema declaratively (the schema engine's diff + apply) under the
// migrator's advisory lock, then write the marker.
#include <chrono>
#include <optional>
#include <string>

#include "common/watch/store.hpp"

namespace hectic::watch {

// The lifecycle hooks: shell command lines (empty: none).
struct Hooks {
  std::string on_start;
  std::string on_fetch_error;     // after fetch_failures_for_hook consecutive failed fetches
  std::string on_apply_failed;
  std::string on_apply_succeeded;
};

struct WatchOptions {
  std::string url;                        // the database (URL or conninfo; may hold a password)
  std::string prefix;                     // without leading or trailing '/'; may be empty
  std::string schema_file = "schema.sql";
  std::string completed_file = "completed";
  std::chrono::milliseconds interval{60'000};
  bool allow_drop = false;
  std::string lock_wait = "60s";          // for the migrator's lock (PostgreSQL interval text)
  std::optional<std::string> lock_timeout; // per statement
  Hooks hooks;
  std::chrono::milliseconds hook_timeout{60'000};
  int fetch_failures_for_hook = 3;
  std::chrono::milliseconds max_backoff{30 * 60'000}; // between retries of a failing version
};

// What one poll did.
enum class Outcome {
  nothing,      // no version, or the highest is marked (also: another watcher applied it)
  applied,      // applied (or found already in place) and marked
  fetch_failed, // the store could not be read
  apply_failed, // the apply failed or was refused: no marker
  backing_off,  // the highest version failed before and its retry is not due yet
};

class Watcher {
public:
  Watcher(Store& store, WatchOptions options);

  // One poll; never throws for store or apply failures (they are logged and hooked).
  Outcome poll();
  // --once: the start hook and one poll; 0 applied or nothing to do, 1 failed.
  int run_once();
  // Polls every interval until a signal ends the process (interrupt.hpp: exit 0).
  [[noreturn]] void run_forever();

  // The delay before retry `failures` (1, 2, ...) of a failing version: interval * 2^failures,
  // at most max(max_backoff, interval).
  static std::chrono::milliseconds backoff(std::chrono::milliseconds interval, std::chrono::milliseconds max_backoff,
                                           int failures);

private:
  struct Found {
    std::string version;
    bool marked = false;
    std::string schema; // when not marked
  };
  struct Failure {
    std::string version;
    std::string schema_hash;
    int count = 0;
    std::chrono::steady_clock::time_point next_attempt;
  };

  std::optional<Found> fetch();
  // Under the lock: re-check the marker, apply, write the marker. False when the marker
  // appeared meanwhile (another watcher applied the version).
  bool apply(const Found& found);
  void hook(const std::string& command, const char* name, const std::string& version, const std::string& error);
  std::string key(const std::string& version, const std::string& file) const;

  Store& m_store;
  WatchOptions m_options;
  std::string m_key_prefix; // prefix + "/" or ""
  int m_fetch_failures = 0;
  std::optional<Failure> m_failure;
};

// The marker's content: "applied_at: ...\ndatabase: ...\nfingerprint: ...\nversion: ...\n".
std::string marker_text(const std::string& version, const std::string& database, const std::string& fingerprint);

} // namespace hectic::watch
