#pragma once
// Ephemeral PostgreSQL clusters (README "postgres-init / postgres-cleanup"): fresh or reused
// data under PG_WORKING_DIR (data/, sock/), runtime settings rewritten on every start, a
// pristine template cluster cached under HECTIC_CACHE_DIR, root support via PG_RUN_AS.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/base/process.hpp"

namespace hectic::cluster {

// Everything postgres-init reads from the environment, resolved.
struct Config {
  std::filesystem::path working_dir;            // PG_WORKING_DIR or $LOCAL_DIR/focus/postgresql
  std::string database = "testdb";              // PG_DATABASE
  int port = 5432;                              // PG_PORT
  std::string url_var = "PGURL";                // PG_URL_VAR (a valid identifier)
  std::optional<std::filesystem::path> log_path;  // PG_LOG_PATH
  std::optional<std::filesystem::path> conf_file; // PG_CONF_FILE
  std::string preload_libraries = "pg_cron";    // PG_SHARED_PRELOAD_LIBRARIES
  bool preload_explicit = false;                // set by the user (missing library -> fail)
  bool logging = true;                          // !PG_DISABLE_LOGGING
  bool reuse = false;                           // PG_REUSE
  // A kept cluster whose data is damaged is moved aside and recreated fresh (README "postgres-init / postgres-cleanup"). Off where
  // the data is the point (restore, normalize-backup, diff's DB1): damage is then an error.
  bool heal_damage = true;
  std::optional<process::Account> run_as;       // set when we are root (PG_RUN_AS / postgres)
  std::filesystem::path cache_dir;              // HECTIC_CACHE_DIR ...
  bool template_cache = true;                   // PG_INIT_CACHE != 0
  int spares = 2;                               // PG_INIT_SPARES: template copies made ahead
  int cache_max_keys = 4;                       // HECTIC_CACHE_MAX_KEYS: templates kept, most recently used

  // Reads the environment. Throws Error(missing_argument) for missing PG_WORKING_DIR/LOCAL_DIR,
  // an invalid PG_URL_VAR or PG_PORT, or root without a usable PG_RUN_AS account.
  static Config from_env();
  // Same as from_env() for a given working dir (check/diff clusters), other settings from env.
  static Config for_working_dir(const std::filesystem::path& working_dir);

  std::filesystem::path data_dir() const { return working_dir / "data"; }
  std::filesystem::path socket_dir() const { return working_dir / "sock"; }
};

// How to reach a started cluster; what postgres-init exports.
struct Endpoint {
  std::string socket_dir;  // POSTGRESQL_HOST
  int port = 5432;         // POSTGRESQL_PORT
  std::string user;        // POSTGRESQL_USER: the role that actually exists
  std::string database;    // POSTGRESQL_DATABASE
  std::string url;         // PGURL and $PG_URL_VAR
  std::string url_var = "PGURL";
  bool fresh = false;      // the data was created by this start (not kept): it needs filling

  // `export NAME='value'` lines for eval.
  std::string shell_exports() const;
  // One JSON object with the same names.
  std::string json() const;
  // The URL of another database on the same server.
  std::string url_for(const std::string& database) const;
};

// postgres-init: fresh (default) or reuse; returns once the server answers and the database
// exists. Throws Error with the README's exit codes (2 busy socket / could not start, 3, 13, 127).
Endpoint start(const Config& config);

// How the cluster of config is reached once it runs (a kept data dir keeps its role); starts
// and changes nothing. Throws like start() for a working dir that is a file or too long a path.
Endpoint endpoint_of(const Config& config);

// What postgres-cleanup found.
enum class StopOutcome { stopped, not_running, stale_pidfile, no_cluster };

// Stops the server of working_dir quickly (pg_ctl stop -m fast, bounded) and waits for it.
// Never throws for "nothing to do"; throws only for a server that refuses to stop.
StopOutcome stop(const std::filesystem::path& working_dir);

// True when dir is empty or holds what a cluster's working dir holds (data/PG_VERSION, sock/,
// server.log, a PGDATA of the shell tools' layout, leftovers of ours): what `database cleanup`
// may remove as a whole. A bare data/ folder is not enough ($HOME has one).
bool looks_like_working_dir(const std::filesystem::path& dir);

// A throw-away cluster (database check, diff): started in the constructor; stopped and its
// directory removed in the destructor and on SIGINT/SIGTERM (interrupt::CleanupGuard).
class TempCluster {
public:
  explicit TempCluster(Config config);
  ~TempCluster();
  TempCluster(const TempCluster&) = delete;
  TempCluster& operator=(const TempCluster&) = delete;

  const Endpoint& endpoint() const;
  const Config& config() const { return m_config; }

private:
  struct Impl;
  Config m_config;
  std::unique_ptr<Impl> m_impl;
};

} // namespace hectic::cluster
