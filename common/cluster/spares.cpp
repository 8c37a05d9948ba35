#include "common/cluster/spares.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/fd.hpp"
#include "common/base/log.hpp"
#include "common/cluster/internal.hpp"

namespace hectic::cluster::spares {
namespace stdfs = std::filesystem;

namespace {

using detail::logger;

constexpr std::string_view k_ready_prefix = "ready-";
constexpr std::string_view k_temp_prefix = ".tmp-";

std::vector<std::string> entries_with_prefix(const stdfs::path& dir, std::string_view prefix) {
  std::vector<std::string> names;
  DIR* handle = ::opendir(dir.c_str());
  if (!handle) return names;
  while (dirent* entry = ::readdir(handle)) {
    std::string_view name = entry->d_name;
    if (name.substr(0, prefix.size()) == prefix) names.emplace_back(name);
  }
  ::closedir(handle);
  return names;
}

int ready_count(const Pool& pool) { return static_cast<int>(entries_with_prefix(pool.dir, k_ready_prefix).size()); }

bool same_filesystem(const stdfs::path& a, const stdfs::path& b) {
  struct stat sa {}, sb {};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev;
}

// The filler must never hold the caller's pipes open (a `$(database ...)` would wait for it)
// nor take its terminal's signals; it yields CPU and disk to whatever the user runs next.
void become_background_filler() {
  int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
  }
  if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
    for (int fd = 3; fd < 1024; ++fd) ::close(fd);
  sigset_t all;
  sigemptyset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGHUP}) ::signal(sig, SIG_DFL);
  (void)::setpriority(PRIO_PROCESS, 0, 19);
  constexpr int k_ioprio_who_process = 1, k_ioprio_class_idle = 3, k_ioprio_class_shift = 13;
  (void)::syscall(SYS_ioprio_set, k_ioprio_who_process, 0, k_ioprio_class_idle << k_ioprio_class_shift);
}

} // namespace

bool take(const Pool& pool, const stdfs::path& data_dir) {
  if (pool.size <= 0) return false;
  for (const auto& name : entries_with_prefix(pool.dir, k_ready_prefix)) {
    auto spare = pool.dir / name;
    if (::rename(spare.c_str(), data_dir.c_str()) != 0) {
      if (errno == ENOENT) continue; // another init took it first
      logger().debug("cannot use the spare {}: {}", spare.string(), std::strerror(errno));
      return false;
    }
    if (pool.owner) {
      struct stat st {};
      if (::stat(data_dir.c_str(), &st) != 0 || st.st_uid != pool.owner->uid || st.st_gid != pool.owner->gid)
        detail::chown_tree(data_dir, *pool.owner);
    }
    logger().debug("moved the spare {} into place", spare.string());
    return true;
  }
  return false;
}

UniqueFd hold_template(const stdfs::path& template_data) {
  UniqueFd dir(::open(template_data.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir || ::flock(dir.get(), LOCK_SH | LOCK_NB) != 0) return UniqueFd();
  // Locked after the pruner removed it: the open dir is empty now.
  struct stat st {};
  if (::fstatat(dir.get(), "data/PG_VERSION", &st, AT_SYMLINK_NOFOLLOW) != 0) return UniqueFd();
  return dir;
}

int fill(const Pool& pool) {
  if (pool.size <= 0) return 0;
  UniqueFd held = hold_template(pool.template_data); // before the pool dir: a pruned key gets none
  if (!held) return 0;
  std::error_code ec;
  stdfs::create_directories(pool.dir, ec);
  if (ec) return 0;
  UniqueFd lock(::open((pool.dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock) return 0;
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) return 0;
  // Under the lock, a temp dir is what a killed filler left behind.
  for (const auto& name : entries_with_prefix(pool.dir, k_temp_prefix)) stdfs::remove_all(pool.dir / name, ec);
  int added = 0;
  std::random_device random; // names never meet an earlier filler's spare of a reused pid
  while (ready_count(pool) < pool.size) {
    auto name = fmt::format("{}-{}-{:08x}", ::getpid(), added, random());
    auto temp = pool.dir / fmt::format("{}{}", k_temp_prefix, name);
    auto ready = pool.dir / fmt::format("{}{}", k_ready_prefix, name);
    try {
      detail::copy_tree(pool.template_data, temp, pool.owner);
    } catch (const Error& error) {
      logger().debug("cannot fill the spare pool {}: {}", pool.dir.string(), error.what());
      stdfs::remove_all(temp, ec);
      break;
    }
    if (::rename(temp.c_str(), ready.c_str()) != 0) {
      stdfs::remove_all(temp, ec);
      break;
    }
    ++added;
  }
  return added;
}

void refill_in_background(const Pool& pool, const stdfs::path& working_dir) {
  if (pool.size <= 0 || !same_filesystem(pool.template_data, working_dir) || ready_count(pool) >= pool.size)
    return;
  // Double fork: the filler is re-parented to init and never becomes our zombie.
  pid_t child = ::fork();
  if (child < 0) return; // spares are an optimisation: no filler, no harm
  if (child == 0) {
    ::setsid();
    pid_t filler = ::fork();
    if (filler != 0) ::_exit(filler < 0 ? 1 : 0);
    become_background_filler();
    try {
      fill(pool);
    } catch (...) {
    }
    ::_exit(0); // no atexit handlers or static destructors of the parent's state
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  logger().debug("refilling the spare pool {} in the background", pool.dir.string());
}

} // namespace hectic::cluster::spares
