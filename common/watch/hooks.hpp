#pragma once
// The lifecycle hooks of `migrator watch` (--on-start, --on-fetch-error, --on-apply-failed,
// --on-apply-succeeded): a shell command line run with /bin/sh -c, bounded in time, with
// HECTIC_WATCH_VERSION, HECTIC_WATCH_STORE, HECTIC_WATCH_ERROR in its environment.
#include <chrono>
#include <string>

namespace hectic::watch {

// What a hook learns about the event.
struct HookEvent {
  std::string name;    // "on-start", ... (HECTIC_WATCH_EVENT)
  std::string version; // the version concerned, or empty
  std::string store;   // Store::describe()
  std::string error;   // the error message, or empty
};

// Runs command (nothing when empty) and waits at most timeout. A hook that fails, times out or
// cannot start is logged as a warning and returns false; it never throws.
bool run_hook(const std::string& command, const HookEvent& event, std::chrono::milliseconds timeout);

} // namespace hectic::watch
