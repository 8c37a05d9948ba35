#pragma once
// Which database a `database` subcommand works on (README "database"): -u, the connection
// variables, else the project's own cluster; and that cluster's state for `database status`.
#include <cstdint>
#include <optional>
#include <string>

namespace hectic::target {

// The URL of the project's cluster (PG_WORKING_DIR's socket, PG_PORT, PG_DATABASE, its kept
// role). Throws Error(missing_argument) when the cluster does not run, naming every source.
std::string project_cluster_url();

// A command that works on an existing database: -u, else DB_URL, else PGURL, else the variable
// PG_URL_VAR names, else the project's cluster (said at info level).
std::string resolve_url(const std::optional<std::string>& explicit_url);

// backup: -u when given, else the project's cluster; a connection variable pointing elsewhere
// is ignored and said so at info level (command names the subcommand in that line).
std::string project_url_unless_explicit(const std::optional<std::string>& explicit_url, const char* command);

// Says at info level which set connection variables (other than the project cluster's URL)
// command ignores because it acts on the project's cluster.
void note_ignored_url_variables(const char* command, const std::string& project_url);

// What `database status` reports; read without starting or changing anything.
struct ClusterStatus {
  bool running = false;
  std::optional<long> pid;                   // the postmaster, when running
  std::string url;                           // how it is (or would be) reached
  std::string data_dir;
  std::uintmax_t size_bytes = 0;             // the files under data/ (0 when there is none)
  std::optional<std::string> server_version; // the running server's, else data/PG_VERSION
};

// The state of the project's cluster (Config::from_env()).
ClusterStatus project_cluster_status();
// One JSON object: running, pid, url, data_dir, size_bytes, server_version.
std::string status_json(const ClusterStatus& status);
// Aligned `name: value` lines.
std::string status_text(const ClusterStatus& status);

} // namespace hectic::target
