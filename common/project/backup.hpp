#pragma once
// Physical backups of a development cluster (README "database": backup, restore,
// normalize-backup). A backup directory holds base.tar.gz, pg_wal.tar.gz (optional) and a
// database_name file.
#include <filesystem>
#include <optional>
#include <string>

#include "common/cluster/cluster.hpp"
#include "common/base/interrupt.hpp"
#include "common/project/owner_lock.hpp"

namespace hectic::backup {

// A cluster working dir we own (normalize-backup, diff): when the guard dies, and on
// SIGINT/SIGTERM, its server is stopped and the directory removed. Its OwnerLock refuses a
// second live owner (Error(ambiguous) naming what), so only a dead owner's leftover is removed.
class ScratchDir {
public:
  explicit ScratchDir(std::filesystem::path dir, const std::string& what = "normalize-backup");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return m_dir; }

private:
  static void remove(const std::filesystem::path& dir) noexcept;
  std::filesystem::path m_dir;
  owner_lock::OwnerLock m_lock;    // taken before the leftover is removed, released last
  interrupt::CleanupGuard m_guard; // the destructor or the signal watcher removes, once
};

// pg_basebackup -Ft -z -X stream of the server behind url into dir (replaced atomically),
// plus database_name (the URL's database).
void create(const std::string& url, const std::filesystem::path& dir);

// Extracts a backup into an empty data dir: a directory with base.tar[.gz] (+ pg_wal.tar[.gz]),
// or with archive set, one tar[.gz] file holding such a directory's files or a PGDATA.
// Removes standby.signal / recovery.signal. Throws Error(generic) naming what is missing.
void unpack(const std::filesystem::path& backup, const std::filesystem::path& data_dir, bool archive);

// The database named by the backup's database_name file, if any.
std::optional<std::string> database_name(const std::filesystem::path& backup);

// Stops the cluster of config, replaces its data/ with the backup, starts it (reuse) and
// ensures the backup's database. Returns the endpoint.
cluster::Endpoint restore_into(cluster::Config config, const std::filesystem::path& backup, bool archive);

// Output equal to, inside of, or containing the input: Error(generic).
void check_distinct(const std::filesystem::path& input, const std::filesystem::path& output);

struct NormalizeOptions {
  std::filesystem::path input;
  std::filesystem::path output;
  bool archive = false;
  std::optional<std::string> role;       // ensured LOGIN SUPERUSER role (default: the server account)
  std::optional<std::string> database;   // ensured database (default: database_name, else PG_DATABASE)
  std::optional<std::string> admin_role; // role to connect as (default: the server account)
};

// Production backup -> local one, the input untouched.
void normalize(const NormalizeOptions& options);

} // namespace hectic::backup
