#include "common/base/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "common/base/error.hpp"
#include "common/base/fd.hpp"

namespace hectic::fs {

namespace stdfs = std::filesystem;

namespace {

void check(const std::error_code& ec, const char* what, const stdfs::path& path, const stdfs::path& to = {}) {
  if (!ec) return;
  throw Error(ExitCode::generic, fmt::format("cannot {} {}{}: {}", what, path.string(),
                                             to.empty() ? "" : " to " + to.string(), ec.message()));
}

} // namespace

void create_directories(const stdfs::path& path) {
  std::error_code ec;
  stdfs::create_directories(path, ec);
  check(ec, "create directory", path);
}

void rename(const stdfs::path& from, const stdfs::path& to) {
  std::error_code ec;
  stdfs::rename(from, to, ec);
  check(ec, "rename", from, to);
}

void set_permissions(const stdfs::path& path, stdfs::perms perms) {
  std::error_code ec;
  stdfs::permissions(path, perms, stdfs::perm_options::replace, ec);
  check(ec, "change the mode of", path);
}

std::vector<stdfs::path> list_directory(const stdfs::path& path) {
  std::error_code ec;
  std::vector<stdfs::path> entries;
  for (stdfs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(it->path());
  check(ec, "list directory", path);
  return entries;
}

TempDir::TempDir(std::string_view prefix, const stdfs::path& parent) {
  stdfs::path base = parent.empty() ? stdfs::temp_directory_path() : parent;
  fs::create_directories(base);
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

namespace {

[[noreturn]] void throw_write_error(const stdfs::path& path, int error) {
  throw Error(ExitCode::generic, fmt::format("cannot write {}: {}", path.string(), std::strerror(error)));
}

stdfs::path resolve_target(const stdfs::path& path, bool follow_symlink) {
  std::error_code ec;
  if (!stdfs::is_symlink(path, ec)) return path;
  if (!follow_symlink)
    throw Error(ExitCode::generic,
                fmt::format("refusing to write {}: it is a symbolic link", path.string()),
                {"remove the link; the file is created here"});
  auto target = stdfs::weakly_canonical(path, ec);
  return ec ? path : target;
}

// O_EXCL with a random name: a name planted in advance (a link, a fifo) is never opened.
std::pair<UniqueFd, std::string> create_temporary(int dir_fd, const std::string& name, mode_t mode) {
  std::random_device random;
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto temp = fmt::format(".{}.tmp-{:08x}{:08x}", name, random(), random());
    UniqueFd fd(::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (fd) return {std::move(fd), temp};
    if (errno != EEXIST) throw_write_error(name, errno);
  }
  throw_write_error(name, EEXIST);
}

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

} // namespace

void write_file_atomic(const stdfs::path& given, std::string_view content, const WriteOptions& options) {
  const stdfs::path path = resolve_target(given, options.follow_symlink);
  const stdfs::path parent = path.has_parent_path() ? path.parent_path() : stdfs::path(".");
  const std::string name = path.filename().string();
  UniqueFd dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) throw_write_error(path, errno);
  mode_t mode = options.mode.value_or(options.new_file_mode);
  struct stat existing {};
  if (!options.mode && ::fstatat(dir.get(), name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISREG(existing.st_mode))
    mode = existing.st_mode & 07777;
  auto [fd, temp] = create_temporary(dir.get(), name, mode);
  auto fail = [&, &temp = temp](int error) {
    ::unlinkat(dir.get(), temp.c_str(), 0);
    throw_write_error(path, error);
  };
  // fchmod: the umask narrowed the mode openat applied.
  if (!write_all(fd.get(), content) || ::fchmod(fd.get(), mode) != 0) fail(errno);
  if (options.owner && ::fchown(fd.get(), options.owner->uid, options.owner->gid) != 0) fail(errno);
  if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) fail(errno);
  if (::renameat(dir.get(), temp.c_str(), dir.get(), name.c_str()) != 0) fail(errno);
}

} // namespace hectic::fs
