#include "common/base/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/base/error.hpp"

namespace hectic::fs {

namespace stdfs = std::filesystem;

TempDir::TempDir(std::string_view prefix, const stdfs::path& parent) {
  stdfs::path base = parent.empty() ? stdfs::temp_directory_path() : parent;
  stdfs::create_directories(base);
  std::string pattern = (base / fmt::format("{}-XXXXXX", prefix)).string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw Error(ExitCode::internal,
                fmt::format("cannot create a temporary directory under {}: {}", base.string(),
                            std::strerror(errno)));
  m_path = pattern;
}

TempDir::TempDir(TempDir&& other) noexcept
    : m_path(std::move(other.m_path)), m_keep(other.m_keep) {
  other.m_path.clear();
}

TempDir::~TempDir() {
  if (m_path.empty() || m_keep) return;
  std::error_code ignored;
  remove_tree(m_path, ignored);
}

void remove_tree(const stdfs::path& path, std::error_code& ec) {
  for (int attempt = 0;; ++attempt) {
    stdfs::remove_all(path, ec);
    if (!ec) return;
    std::error_code probe;
    if (!stdfs::exists(stdfs::symlink_status(path, probe))) {
      ec.clear();
      return;
    }
    // ENOENT: someone else removed an entry between our listing and our unlink.
    if (ec != std::errc::no_such_file_or_directory || attempt == 100) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string read_file(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ExitCode::generic,
                fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_file_atomic(const stdfs::path& link_or_path, std::string_view content) {
  // A symlinked file (a shared test-data.sql) is replaced where it lives, the link kept; an
  // existing file keeps its mode.
  std::error_code ec;
  stdfs::path path = link_or_path;
  if (stdfs::is_symlink(link_or_path, ec)) {
    auto target = stdfs::weakly_canonical(link_or_path, ec);
    if (!ec) path = target;
  }
  stdfs::path tmp = path;
  tmp += fmt::format(".tmp-{}", getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw Error(ExitCode::generic,
                fmt::format("cannot write {}: {}", tmp.string(), std::strerror(errno)));
  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0) (void)::fchmod(fd, existing.st_mode & 07777);
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(ExitCode::generic,
                  fmt::format("cannot write {}: {}", tmp.string(), std::strerror(saved)));
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    throw Error(ExitCode::generic,
                fmt::format("cannot write {}: {}", tmp.string(), std::strerror(saved)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    throw Error(ExitCode::generic, fmt::format("cannot rename {} to {}: {}", tmp.string(),
                                               path.string(), std::strerror(saved)));
  }
}

namespace {
std::string utc_format(const char* format) {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, format, &tm);
  return buffer;
}
} // namespace

std::string utc_stamp_for_filename() { return utc_format("%Y-%m-%dT%H-%M-%SZ"); }
std::string utc_now_text() { return utc_format("%Y-%m-%d %H:%M:%S UTC"); }

} // namespace hectic::fs
