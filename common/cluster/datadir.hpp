#pragma once
// The data dir of a cluster: directories and files owned by the server account, a fresh data
// dir (spare, template copy or initdb), the settings rewritten on every start, a kept data
// dir adopted for reuse, and the trash that deletes old data in the background.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cluster/cluster.hpp"
#include "common/cluster/template_cache.hpp"
#include "common/cluster/tree.hpp"

namespace hectic::cluster::detail {

// mkdir -p path, then chmod mode and chown to owner. Throws Error(generic).
void make_dir(const std::filesystem::path& path, const std::optional<Owner>& owner, mode_t mode = 0700);

// fs::remove_tree that throws Error(generic) with a hint when the tree stays.
void remove_tree(const std::filesystem::path& path);

// Writes a file owned by the server account (mode 0600), replacing it atomically.
void write_owned(const std::filesystem::path& path, std::string_view content, const std::optional<Owner>& owner);

// A new data dir: a spare or template copy (or initdb, then staged as the template), then
// postgresql.conf, pg_hba.conf and the superuser record. Commit the returned update once the
// cluster answers: only a successful init reaches the cache.
CacheUpdate create_fresh(const Config& config, const std::filesystem::path& working_dir,
                  const std::filesystem::path& data_dir);

// Writes the settings forced on every start and makes postgresql.conf include them last.
void write_runtime_settings(const Config& config, const std::filesystem::path& data_dir,
                            const std::filesystem::path& socket_dir, const std::vector<std::string>& preload,
                            const std::string& signature);

// The superuser of a kept cluster: the recorded one, else the owner of its PG_VERSION.
std::optional<std::string> kept_superuser(const std::filesystem::path& data_dir);

// Makes a kept data dir ours to reuse: records its superuser when not yet recorded, and gives
// it to the server account when it belongs to another.
void adopt_kept_data(const Config& config, const std::filesystem::path& data_dir, const std::string& superuser);

// Old data moved aside at once (a rename) and deleted in the background when the trash dies,
// together with leftovers of an interrupted run (the working dir's .trash-* entries).
class Trash {
public:
  explicit Trash(std::filesystem::path working_dir) : m_working_dir(std::move(working_dir)) {}
  ~Trash();
  Trash(const Trash&) = delete;
  Trash& operator=(const Trash&) = delete;

  // Moves path into the trash, or removes it when it cannot be moved.
  void discard(const std::filesystem::path& path);

private:
  std::filesystem::path m_working_dir;
  int m_count = 0;
};

} // namespace hectic::cluster::detail
