#include "common/cluster/tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/fd.hpp"

namespace hectic::cluster::detail {
namespace stdfs = std::filesystem;

namespace {

[[noreturn]] void fail_errno(std::string_view what, const stdfs::path& path) {
  throw Error(ExitCode::generic,
              fmt::format("could not {} {}: {}", what, path.string(), std::strerror(errno)));
}

bool all_zero(const char* data, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i)
    if (data[i] != 0) return false;
  return true;
}

// Writes the non-zero blocks of data at offset; zero blocks stay holes (initdb zero-fills its
// WAL segment). False (errno set) when a write fails.
bool write_nonzero_blocks(int out, const char* data, std::size_t size, off_t offset) {
  constexpr std::size_t k_block = 8192;
  for (std::size_t pos = 0; pos < size; pos += k_block) {
    std::size_t len = std::min(k_block, size - pos);
    if (all_zero(data + pos, len)) continue;
    std::size_t written = 0;
    while (written < len) {
      ssize_t w = ::pwrite(out, data + pos + written, len - written, offset + static_cast<off_t>(pos + written));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      written += static_cast<std::size_t>(w);
    }
  }
  return true;
}

// Copies in to out sparsely and sets out's length and owner. False (errno set) on failure.
bool copy_contents(int in, int out, std::optional<Owner> owner) {
  static thread_local std::array<char, 1 << 17> buffer;
  off_t offset = 0;
  for (;;) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    if (!write_nonzero_blocks(out, buffer.data(), static_cast<std::size_t>(n), offset)) return false;
    offset += n;
  }
  if (::ftruncate(out, offset) != 0) return false;
  return !owner || ::fchown(out, owner->uid, owner->gid) == 0;
}

void copy_file_sparse(const stdfs::path& from, int to_dir, const stdfs::path& to, const struct stat& st,
                      std::optional<Owner> owner) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in) fail_errno("read", from);
  UniqueFd out(::openat(to_dir, to.filename().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        st.st_mode & 07777));
  if (!out) fail_errno("create", to);
  bool ok = copy_contents(in.get(), out.get(), owner);
  int saved = errno;
  in.reset();
  out.reset();
  errno = saved;
  if (!ok) fail_errno("copy into", to);
}

void copy_symlink(const stdfs::path& from, int to_dir, const stdfs::path& to, std::optional<Owner> owner) {
  std::error_code ec;
  auto link = stdfs::read_symlink(from, ec);
  if (ec || ::symlinkat(link.c_str(), to_dir, to.filename().c_str()) != 0) fail_errno("copy symlink", to);
  if (owner && ::fchownat(to_dir, to.filename().c_str(), owner->uid, owner->gid, AT_SYMLINK_NOFOLLOW) != 0)
    fail_errno("chown", to);
}

// A new directory `to` (its name in to_parent), opened without following a link.
UniqueFd make_dir_at(int to_parent, const stdfs::path& to) {
  if (::mkdirat(to_parent, to.filename().c_str(), 0700) != 0) fail_errno("create directory", to);
  UniqueFd dir(::openat(to_parent, to.filename().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) fail_errno("open directory", to);
  return dir;
}

void copy_dir(const stdfs::path& from, int to_parent, const stdfs::path& to, mode_t mode,
              std::optional<Owner> owner) {
  UniqueFd to_dir = make_dir_at(to_parent, to);
  DIR* dir = ::opendir(from.c_str());
  if (!dir) fail_errno("read directory", from);
  struct DirCloser {
    DIR* d;
    ~DirCloser() { ::closedir(d); }
  } closer{dir};
  while (dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    auto source = from / entry->d_name;
    auto target = to / entry->d_name;
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0) fail_errno("stat", source);
    if (S_ISDIR(st.st_mode)) copy_dir(source, to_dir.get(), target, st.st_mode & 07777, owner);
    else if (S_ISREG(st.st_mode)) copy_file_sparse(source, to_dir.get(), target, st, owner);
    else if (S_ISLNK(st.st_mode)) copy_symlink(source, to_dir.get(), target, owner);
    // Sockets, fifos and devices have no place in a data dir template: skipped.
  }
  if (owner && ::fchown(to_dir.get(), owner->uid, owner->gid) != 0) fail_errno("chown", to);
  if (::fchmod(to_dir.get(), mode) != 0) fail_errno("chmod", to);
}

// Gives every entry under the open directory dir (at path) to owner; subdirectories are opened
// with O_NOFOLLOW relative to it, the rest chowned with AT_SYMLINK_NOFOLLOW.
void chown_entries(int dir, const stdfs::path& path, Owner owner) {
  int listing = ::dup(dir);
  DIR* handle = listing < 0 ? nullptr : ::fdopendir(listing);
  if (!handle) {
    if (listing >= 0) ::close(listing);
    fail_errno("read directory", path);
  }
  struct DirCloser {
    DIR* d;
    ~DirCloser() { ::closedir(d); }
  } closer{handle};
  while (dirent* entry = ::readdir(handle)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(dir, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) fail_errno("stat", path / entry->d_name);
    if (!S_ISDIR(st.st_mode)) {
      if (::fchownat(dir, entry->d_name, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) != 0)
        fail_errno("chown", path / entry->d_name);
      continue;
    }
    UniqueFd sub(::openat(dir, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) fail_errno("open directory", path / entry->d_name);
    if (::fchown(sub.get(), owner.uid, owner.gid) != 0) fail_errno("chown", path / entry->d_name);
    chown_entries(sub.get(), path / entry->d_name, owner);
  }
}

} // namespace

void copy_tree(const stdfs::path& from, const stdfs::path& to, std::optional<Owner> owner) {
  struct stat st {};
  if (::stat(from.c_str(), &st) != 0) fail_errno("read", from);
  if (!S_ISDIR(st.st_mode))
    throw Error(ExitCode::generic, fmt::format("could not copy {}: not a directory", from.string()));
  auto parent = to.has_parent_path() ? to.parent_path() : stdfs::path(".");
  UniqueFd parent_dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent_dir) fail_errno("open directory", parent);
  copy_dir(from, parent_dir.get(), to, st.st_mode & 07777, owner);
}

void chown_tree(const stdfs::path& root, Owner owner) {
  UniqueFd dir = open_own_dir(root);
  if (!dir) fail_errno("open directory", root);
  if (::fchown(dir.get(), owner.uid, owner.gid) != 0) fail_errno("chown", root);
  chown_entries(dir.get(), root, owner);
}

UniqueFd open_own_dir(const stdfs::path& path) {
  UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dir) return dir;
  int saved = errno;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) {
    errno = saved;
    return dir;
  }
  // Only its owner (or root) replaces a link; ours points where we (or the user) chose.
  if (st.st_uid != ::geteuid()) refuse_link(path);
  return UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

void refuse_link(const stdfs::path& path) {
  throw Error(ExitCode::generic, fmt::format("refusing to use {}: it is a symbolic link", path.string()),
              {"remove the link: root never follows a link in a directory another account can write"});
}

std::optional<stdfs::path> untraversable_parent(const stdfs::path& path, uid_t uid, gid_t gid,
                                                const std::vector<gid_t>& groups) {
  auto absolute = stdfs::absolute(path).lexically_normal();
  for (auto dir = absolute.parent_path(); ; dir = dir.parent_path()) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
      bool ok;
      if (uid == 0) ok = true;
      else if (st.st_uid == uid) ok = st.st_mode & S_IXUSR;
      else if (st.st_gid == gid || std::find(groups.begin(), groups.end(), st.st_gid) != groups.end())
        ok = st.st_mode & S_IXGRP;
      else ok = st.st_mode & S_IXOTH;
      if (!ok) return dir;
    }
    if (dir == dir.root_path() || dir.empty()) break;
  }
  return std::nullopt;
}

} // namespace hectic::cluster::detail
