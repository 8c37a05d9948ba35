#pragma once
// SIGINT/SIGTERM handling for commands that own throw-away resources (check, diff, migrate):
// the signals are blocked in every thread and taken by one watcher thread. On the first signal
// it cancels what runs (Canceller: the running query; foreground children get the signal),
// waits until no Critical operation runs, then runs the registered cleanups (newest first) and
// exits 130. A second signal exits 130 at once, without waiting. Children get an unblocked mask.
#include <functional>
#include <memory>

#include <sys/types.h>

namespace hectic::interrupt {

// Blocks SIGINT/SIGTERM and starts the watcher. Idempotent. Call early in main, before threads.
void install();

// The status the process exits with after a signal's cleanups: 130 unless set (a service
// such as `migrator watch` is stopped by SIGTERM on purpose: 0).
void set_exit_status(int status);

// True once a signal arrived (cleanups may be running).
bool requested();

// Registers a cleanup for the lifetime of the guard (a TempCluster stopping and removing
// itself). The cleanup runs at most once, by the watcher on a signal or by run(); whoever comes
// second waits until the first has finished, so nothing is half removed when we exit.
class CleanupGuard {
public:
  explicit CleanupGuard(std::function<void()> cleanup);
  ~CleanupGuard(); // dismiss()
  CleanupGuard(const CleanupGuard&) = delete;
  CleanupGuard& operator=(const CleanupGuard&) = delete;

  // Runs the cleanup now, unless it ran already.
  void run();
  // The cleanup will not run. False when the watcher ran it first.
  bool dismiss();

  struct Entry; // the cleanup and its once-only state, shared with the watcher

private:
  unsigned long m_id;
  std::shared_ptr<Entry> m_entry;
};

// Holds the signal's cleanups off while an operation that they would undo runs (a cluster
// starting, data being swapped): they start only once it is over, so a cleanup never races it.
// Recursive. After a signal's cleanups began, a new Critical blocks until the process exits.
// A cleanup must never take a Critical itself.
class Critical {
public:
  Critical();
  ~Critical();
  Critical(const Critical&) = delete;
  Critical& operator=(const Critical&) = delete;
};

// Cancels the operation in progress (PQcancel of the running query) when a signal arrives,
// before any cleanup. The watcher calls it under the lock that the destructor takes: once the
// destructor returned it is never called, so what it uses may be freed then.
class Canceller {
public:
  explicit Canceller(std::function<void()> cancel);
  ~Canceller();
  Canceller(const Canceller&) = delete;
  Canceller& operator=(const Canceller&) = delete;

private:
  unsigned long m_id;
};

// A child in the foreground (`database migrator`, an editor, a pager), registered before it is
// spawned and until it is reaped: a signal is passed on to it, and the watcher waits for it
// (30 s, then SIGKILL) before cleaning up and exiting, so a migrator rolls back and records its
// run, and an editor or pager never outlives us on the terminal. A child that leaves_sigint
// (a pager: Ctrl-C cancels a search in less) gets Ctrl-C to itself: we ignore it.
class ForegroundChild {
public:
  explicit ForegroundChild(bool leaves_sigint = false);
  ~ForegroundChild(); // after the child is reaped: its pid may be reused
  ForegroundChild(const ForegroundChild&) = delete;
  ForegroundChild& operator=(const ForegroundChild&) = delete;

  // The spawned child's pid (a signal that came while spawning is passed on now).
  void attach(pid_t pid);

private:
  unsigned long m_id;
};

} // namespace hectic::interrupt
