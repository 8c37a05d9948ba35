#pragma once
// Filesystem helpers: temp dirs (RAII), whole-file reads, atomic writes.
#include <filesystem>
#include <string>
#include <string_view>

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

// Whole file as a string; throws Error(generic) naming the path.
std::string read_file(const std::filesystem::path& path);
// Writes to "<path>.tmp-<pid>" then renames over path: readers never see a partial file. A
// symlink is followed (its target replaced, the link kept); an existing file keeps its mode.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);
// "2026-11-21T11-47-44Z" style UTC stamp usable in file names.
std::string utc_stamp_for_filename();
// "2026-11-21 11:47:44 UTC".
std::string utc_now_text();

} // namespace hectic::fs
