#include "common/interrupt.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <set>
#include <mutex>
#include <thread>

#include "common/error.hpp"
#include "common/log.hpp"

namespace hectic::interrupt {

namespace {
std::mutex g_mutex;
std::map<unsigned long, std::function<void()>> g_cleanups; // ordered by registration
unsigned long g_next_id = 1;
std::atomic<bool> g_requested{false};
std::once_flag g_once;
std::set<pid_t> g_foreground; // guarded by g_mutex
std::condition_variable g_foreground_gone;

void watch(sigset_t set) {
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
  }
  g_requested = true;
  log::Logger("interrupt").warn("caught {}, cleaning up", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  std::map<unsigned long, std::function<void()>> cleanups;
  {
    std::unique_lock lock(g_mutex);
    for (pid_t pid : g_foreground) ::kill(pid, signal_number);
    g_foreground_gone.wait(lock, [] { return g_foreground.empty(); });
    cleanups.swap(g_cleanups);
  }
  for (auto it = cleanups.rbegin(); it != cleanups.rend(); ++it) {
    try {
      it->second();
    } catch (const std::exception& e) {
      log::Logger("interrupt").error("cleanup failed: {}", e.what());
    }
  }
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(exit_status(ExitCode::interrupted));
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

bool requested() { return g_requested; }

CleanupGuard::CleanupGuard(std::function<void()> cleanup) {
  std::lock_guard lock(g_mutex);
  m_id = g_next_id++;
  g_cleanups.emplace(m_id, std::move(cleanup));
}

CleanupGuard::~CleanupGuard() {
  std::lock_guard lock(g_mutex);
  g_cleanups.erase(m_id);
}

ForegroundChild::ForegroundChild(pid_t pid) : m_pid(pid) {
  std::lock_guard lock(g_mutex);
  g_foreground.insert(m_pid);
}

ForegroundChild::~ForegroundChild() {
  {
    std::lock_guard lock(g_mutex);
    g_foreground.erase(m_pid);
  }
  g_foreground_gone.notify_all();
}

} // namespace hectic::interrupt
