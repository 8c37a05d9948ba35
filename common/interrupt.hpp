#pragma once
// SIGINT/SIGTERM handling for commands that own throw-away resources (check, diff, migrate):
// the signals are blocked in every thread and taken by one watcher thread, which runs the
// registered cleanups (newest first) and exits 130. Children get an unblocked mask.
#include <functional>

#include <sys/types.h>

namespace hectic::interrupt {

// Blocks SIGINT/SIGTERM and starts the watcher. Idempotent. Call early in main, before threads.
void install();

// True once a signal arrived (cleanups may be running).
bool requested();

// Registers a cleanup for the lifetime of the guard (a TempCluster stopping and removing itself).
class CleanupGuard {
public:
  explicit CleanupGuard(std::function<void()> cleanup);
  ~CleanupGuard();
  CleanupGuard(const CleanupGuard&) = delete;
  CleanupGuard& operator=(const CleanupGuard&) = delete;

private:
  unsigned long m_id;
};

// A child in the foreground (`database migrator`, an editor, a pager) for the lifetime of the
// guard: a signal is passed on to it, and the watcher waits until the child has been reaped
// (the guard is gone) before cleaning up and exiting, so a migrator rolls back and records its
// run, and an editor or pager never outlives us on the terminal.
class ForegroundChild {
public:
  explicit ForegroundChild(pid_t pid);
  ~ForegroundChild();
  ForegroundChild(const ForegroundChild&) = delete;
  ForegroundChild& operator=(const ForegroundChild&) = delete;

private:
  pid_t m_pid;
};

} // namespace hectic::interrupt
