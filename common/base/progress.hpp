#pragma once
// Visible long work (backup, restore, normalize-backup, diff): on a terminal each phase says
// when it starts and how long it took, on stderr; piped or redirected, nothing is printed.
#include <chrono>
#include <string>

namespace hectic::progress {

// True when stderr is a terminal (progress is shown).
bool shown();

// One phase of long work: "-> WHAT ..." when it starts, "-> WHAT done in 1.2 s" (or "failed
// after") when it ends; both only when shown().
class Phase {
public:
  explicit Phase(std::string what);
  ~Phase();
  Phase(const Phase&) = delete;
  Phase& operator=(const Phase&) = delete;

private:
  std::string m_what;
  std::chrono::steady_clock::time_point m_started;
  int m_exceptions; // std::uncaught_exceptions() at the start: more at the end is a failure
};

} // namespace hectic::progress
