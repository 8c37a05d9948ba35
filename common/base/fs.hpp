#pragma once
// Filesystem helpers: temp dirs (RAII), tree removal, whole-file reads, atomic writes.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hectic::fs {

// A directory created under parent (or the system temp dir) and removed with everything in it
// when the guard dies, unless keep() was called.
class TempDir {
public:
  explicit TempDir(std::string_view prefix = "hectic", const std::filesystem::path& parent = {});
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;

  const std::filesystem::path& path() const { return m_path; }
  void keep() { m_keep = true; }

private:
  std::filesystem::path m_path;
  bool m_keep = false;
};

// std::filesystem::remove_all that tolerates another process deleting parts of the same tree
// at the same time (postgres-init deletes old data dirs in the background): an entry that
// vanished under us is retried, bounded, until the tree is gone. ec is set only when the tree
// could not be removed for another reason.
void remove_tree(const std::filesystem::path& path, std::error_code& ec);

// std::filesystem operations through their error_code overloads: an ordinary failure
// (permission denied, disk full, a missing parent) throws Error(generic) naming the path and
// the system's reason, never std::filesystem::filesystem_error.
void create_directories(const std::filesystem::path& path);
void rename(const std::filesystem::path& from, const std::filesystem::path& to);
void set_permissions(const std::filesystem::path& path, std::filesystem::perms perms);
std::vector<std::filesystem::path> list_directory(const std::filesystem::path& path);

// Whole file as a string; throws Error(generic) naming the path.
std::string read_file(const std::filesystem::path& path);
// An account to give a file to (root writing a file for the server account).
struct Owner {
  uid_t uid;
  gid_t gid;
};

// How write_file_atomic treats the file it replaces.
struct WriteOptions {
  // Mode of the new file; unset: an existing file's mode, else new_file_mode.
  std::optional<mode_t> mode;
  // Mode when mode is unset and no file exists yet (0600 for production data).
  mode_t new_file_mode = 0644;
  // Chowned through the temporary's fd before the rename, never by path.
  std::optional<Owner> owner;
  // A symlink at path: true replaces its target (the link kept, a shared test-data.sql); false
  // refuses it (a directory another account can write: root never follows its links).
  bool follow_symlink = true;
};

// Writes a temporary beside path (O_EXCL|O_NOFOLLOW, an unpredictable name, relative to the
// parent's fd), fsyncs it, then renames it over path: readers never see a partial file.
// Throws Error(generic) naming the path.
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       const WriteOptions& options = {});

} // namespace hectic::fs
