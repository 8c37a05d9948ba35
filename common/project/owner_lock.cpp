#include "common/project/owner_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
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

} // namespace

OwnerLock::OwnerLock(const std::filesystem::path& dir, const std::string& what) {
  auto path = dir.string() + ".lock";
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  // O_NOFOLLOW: a link planted where the lock file goes is refused, not followed.
  m_fd = UniqueFd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!m_fd)
    throw Error(ExitCode::generic, fmt::format("cannot open the lock file {}: {}", path, std::strerror(errno)));
  if (::flock(m_fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK)
      throw Error(ExitCode::generic, fmt::format("cannot lock {}: {}", path, std::strerror(errno)));
    throw Error(ExitCode::ambiguous,
                fmt::format("another {} is running (pid {}) in {}", what, holder_pid(m_fd.get()), dir.string()),
                {fmt::format("wait for it to finish; its lock is {}", path)});
  }
  std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(m_fd.get(), 0) != 0 || ::pwrite(m_fd.get(), pid.data(), pid.size(), 0) < 0)
    throw Error(ExitCode::generic, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
}

} // namespace hectic::owner_lock
