#include "common/base/interrupt.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "common/base/error.hpp"
#include "common/base/log.hpp"

namespace hectic::interrupt {

struct CleanupGuard::Entry {
  std::function<void()> cleanup;
  std::mutex mutex; // held while the cleanup runs
  bool done = false;

  // Runs the cleanup unless it ran already; returns whether this call ran it.
  bool run_once() {
    std::lock_guard lock(mutex);
    if (std::exchange(done, true)) return false;
    cleanup();
    return true;
  }
};

namespace {
std::mutex g_mutex;
std::map<unsigned long, std::shared_ptr<CleanupGuard::Entry>> g_cleanups; // ordered by registration
unsigned long g_next_id = 1;
std::atomic<bool> g_requested{false};
std::atomic<int> g_exit_status{exit_status(ExitCode::interrupted)};
std::once_flag g_once;
// Children in the foreground, by guard id (pid 0 while spawning); guarded by g_mutex.
struct Foreground {
  pid_t pid = 0;
  bool leaves_sigint = false;
};
std::map<unsigned long, Foreground> g_foreground;
std::condition_variable g_foreground_gone;
int g_signal = 0; // the signal being handled; guarded by g_mutex
std::map<unsigned long, std::function<void()>> g_cancellers; // guarded by g_mutex
// Held by each Critical operation, and by the cleaner from the start of the cleanups to the exit.
std::recursive_mutex g_operation;
constexpr auto k_foreground_grace = std::chrono::seconds(30);
constexpr auto k_repeat_grace = std::chrono::milliseconds(300);

// True when every foreground child handles Ctrl-C itself (a pager): the signal is its own.
bool sigint_belongs_to_foreground() {
  if (g_foreground.empty()) return false;
  for (const auto& [id, child] : g_foreground)
    if (!child.leaves_sigint) return false;
  return true;
}

// The foreground children (a migrator rolling back) end first, bounded: then they are killed.
void end_foreground(int signal_number, const log::Logger& log) {
  std::unique_lock lock(g_mutex);
  for (const auto& [id, child] : g_foreground)
    if (child.pid > 0) ::kill(child.pid, signal_number);
  if (g_foreground_gone.wait_for(lock, k_foreground_grace, [] { return g_foreground.empty(); })) return;
  log.warn("the program in the foreground did not end within {} s of the signal: killing it",
           k_foreground_grace.count());
  for (const auto& [id, child] : g_foreground)
    if (child.pid > 0) ::kill(child.pid, SIGKILL);
  g_foreground_gone.wait_for(lock, std::chrono::seconds(5), [] { return g_foreground.empty(); });
}

void run_cancellers(const log::Logger& log) {
  std::lock_guard lock(g_mutex);
  for (const auto& [id, cancel] : g_cancellers) {
    try {
      cancel();
    } catch (const std::exception& e) {
      log.warn("could not cancel: {}", e.what());
    }
  }
}

[[noreturn]] void exit_interrupted() {
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(g_exit_status);
}

// After the first signal, on its own thread (the watcher stays ready for a second signal):
// cancel, let the foreground end, wait for the Critical operation, then clean up and exit.
void clean_up_and_exit(int signal_number) {
  log::Logger log("interrupt");
  run_cancellers(log);
  end_foreground(signal_number, log);
  g_operation.lock(); // never released: nothing Critical starts after the cleanups
  std::map<unsigned long, std::shared_ptr<CleanupGuard::Entry>> cleanups;
  {
    std::lock_guard lock(g_mutex);
    cleanups.swap(g_cleanups);
  }
  for (auto it = cleanups.rbegin(); it != cleanups.rend(); ++it) {
    try {
      it->second->run_once();
    } catch (const std::exception& e) {
      log.error("cleanup failed: {}", e.what());
    }
  }
  exit_interrupted();
}

const char* signal_name(int signal_number) { return signal_number == SIGINT ? "SIGINT" : "SIGTERM"; }

void watch(sigset_t set) {
  int signal_number = 0;
  for (;;) {
    if (sigwait(&set, &signal_number) != 0) continue;
    std::lock_guard lock(g_mutex);
    if (signal_number == SIGINT && sigint_belongs_to_foreground()) continue;
    g_signal = signal_number;
    g_requested = true;
    break;
  }
  log::Logger log("interrupt");
  log.warn("caught {}, cleaning up (send it again to exit at once)", signal_name(signal_number));
  std::thread(clean_up_and_exit, signal_number).detach();
  // A hung cleanup (or a long Critical operation) must not hold the user hostage. A repeat
  // within k_repeat_grace is the same interruption sent twice (GNU timeout signals the child
  // and then its process group), not a second Ctrl-C.
  const auto first = std::chrono::steady_clock::now();
  while (sigwait(&set, &signal_number) != 0 || std::chrono::steady_clock::now() - first < k_repeat_grace) {
  }
  log.warn("caught {} again: exiting without waiting for the cleanups", signal_name(signal_number));
  exit_interrupted();
}
} // namespace

void install() {
  std::call_once(g_once, [] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    // Blocked here, before other threads start, so every thread inherits the mask and only
    // the watcher takes the signal. process.cpp unblocks it in children.
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread(watch, set).detach();
  });
}

void set_exit_status(int status) { g_exit_status = status; }

bool requested() { return g_requested; }

CleanupGuard::CleanupGuard(std::function<void()> cleanup) : m_entry(std::make_shared<Entry>()) {
  m_entry->cleanup = std::move(cleanup);
  std::lock_guard lock(g_mutex);
  m_id = g_next_id++;
  g_cleanups.emplace(m_id, m_entry);
}

CleanupGuard::~CleanupGuard() { dismiss(); }

// Both unregister only after the entry is settled: a watcher that took it meanwhile waits on
// the entry's mutex and then finds it done.
void CleanupGuard::run() {
  m_entry->run_once();
  std::lock_guard lock(g_mutex);
  g_cleanups.erase(m_id);
}

bool CleanupGuard::dismiss() {
  bool dismissed;
  {
    std::lock_guard lock(m_entry->mutex);
    dismissed = !std::exchange(m_entry->done, true);
  }
  std::lock_guard lock(g_mutex);
  g_cleanups.erase(m_id);
  return dismissed;
}

Critical::Critical() { g_operation.lock(); }

Critical::~Critical() { g_operation.unlock(); }

Canceller::Canceller(std::function<void()> cancel) {
  std::lock_guard lock(g_mutex);
  m_id = g_next_id++;
  g_cancellers.emplace(m_id, std::move(cancel));
}

Canceller::~Canceller() {
  std::lock_guard lock(g_mutex);
  g_cancellers.erase(m_id);
}

ForegroundChild::ForegroundChild(bool leaves_sigint) {
  std::lock_guard lock(g_mutex);
  m_id = g_next_id++;
  g_foreground.emplace(m_id, Foreground{0, leaves_sigint});
}

void ForegroundChild::attach(pid_t pid) {
  std::lock_guard lock(g_mutex);
  g_foreground[m_id].pid = pid;
  if (g_signal != 0) ::kill(pid, g_signal); // the signal came while we were spawning it
}

ForegroundChild::~ForegroundChild() {
  {
    std::lock_guard lock(g_mutex);
    g_foreground.erase(m_id);
  }
  g_foreground_gone.notify_all();
}

} // namespace hectic::interrupt
