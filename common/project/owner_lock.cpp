#include "common/project/owner_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/text.hpp"

namespace hectic::owner_lock {
namespace {

// The pid the holder wrote into the lock file ("?" while it has not written it yet).
std::string holder_pid(int fd) {
  char buffer[32] = {};
  auto n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid = n > 0 ? std::string(text::trim(std::string_view(buffer, static_cast<std::size_t>(n)))) : "";
  return pid.empty() ? "?" : pid;
}

// Whether fd is still the file at path: a lock taken on a file its owner unlinked meanwhile
// is no lock (the next run creates a new file).
bool still_linked(int fd, const std::string& path) {
  struct stat held {}, linked {};
  return ::fstat(fd, &held) == 0 && ::lstat(path.c_str(), &linked) == 0 && held.st_dev == linked.st_dev &&
         held.st_ino == linked.st_ino;
}

} // namespace

OwnerLock::OwnerLock(const std::filesystem::path& dir, const std::string& what) : m_path(dir.string() + ".lock") {
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  for (;;) {
    // O_NOFOLLOW: a link planted where the lock file goes is refused, not followed.
    m_fd = UniqueFd(::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!m_fd)
      throw Error(ExitCode::generic, fmt::format("cannot open the lock file {}: {}", m_path, std::strerror(errno)));
    if (::flock(m_fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK)
        throw Error(ExitCode::generic, fmt::format("cannot lock {}: {}", m_path, std::strerror(errno)));
      throw Error(ExitCode::ambiguous,
                  fmt::format("another {} is running (pid {}) in {}", what, holder_pid(m_fd.get()), dir.string()),
                  {fmt::format("wait for it to finish; its lock is {}", m_path)});
    }
    if (still_linked(m_fd.get(), m_path)) break;
  }
  std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(m_fd.get(), 0) != 0 || ::pwrite(m_fd.get(), pid.data(), pid.size(), 0) < 0)
    throw Error(ExitCode::generic, fmt::format("cannot write {}: {}", m_path, std::strerror(errno)));
}

// Unlinked while still held, so no run can lock the old file after we let go.
OwnerLock::~OwnerLock() { ::unlink(m_path.c_str()); }

} // namespace hectic::owner_lock
