#pragma once
// Building blocks of the cluster unit (cluster.cpp), kept apart so unit tests reach them
// without a server: postmaster.pid parsing, process probes, the forced runtime settings,
// start-failure classification, the template cache key and the tree copy.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/fs.hpp"

namespace hectic::cluster::detail {

// Unix socket paths are limited by sockaddr_un.sun_path (108 bytes with the NUL).
inline constexpr std::size_t k_max_socket_path = 107;
// The file (inside data/) holding the settings forced on every start.
inline constexpr const char* k_runtime_conf = "hectic.runtime.conf";
// The line that makes postgresql.conf read k_runtime_conf last.
inline constexpr const char* k_include_line = "include 'hectic.runtime.conf'";
// The server log written by pg_ctl -l (under PG_LOG_PATH or the working dir).
inline constexpr const char* k_server_log = "server.log";

// The lines of postmaster.pid that we use (PostgreSQL's pidfile.h).
struct PidFile {
  pid_t pid = 0;
  std::string data_dir;
  int port = 0;
  std::string socket_dir;
  std::string status; // "starting", "ready", "stopping" (may be empty while starting)
};

// nullopt when the text has no positive pid on its first line.
std::optional<PidFile> parse_pidfile(std::string_view text);
// Reads data_dir/postmaster.pid; nullopt when absent or unparsable.
std::optional<PidFile> read_pidfile(const std::filesystem::path& data_dir);

// kill(pid, 0) succeeds or fails with EPERM.
bool process_alive(pid_t pid);
// /proc/<pid>/comm is "postgres" or "postmaster".
bool is_postgres_process(pid_t pid);

// What a data dir's postmaster.pid tells.
enum class ServerState { none, running, stale };
ServerState server_state(const std::filesystem::path& data_dir, std::optional<PidFile>* pidfile = nullptr);

// <socket_dir>/.s.PGSQL.<port>
std::filesystem::path socket_file(const std::filesystem::path& socket_dir, int port);
// A process accepts connections on that unix socket path.
bool socket_listening(const std::filesystem::path& socket_path);

// Comma-separated library list, trimmed, empty entries dropped.
std::vector<std::string> split_libraries(std::string_view text);
// Where the server would load a preload library from: "$libdir/x", "/abs/x.so" or "x".
std::filesystem::path library_file(const std::string& library, const std::filesystem::path& pkglib_dir);

// Which requested preload libraries the server has (in pkglib_dir). A missing one is dropped
// (reported in `missing`) when the list is only the default; when explicit it is
// Error(missing_program) naming it.
struct PreloadDecision {
  std::vector<std::string> kept;
  std::vector<std::pair<std::string, std::filesystem::path>> missing; // library, file looked for
};
PreloadDecision decide_preload(std::string_view requested, bool explicit_request,
                               const std::filesystem::path& pkglib_dir);

// A postgresql.conf string literal: 'it''s'.
std::string conf_quote(std::string_view value);

// The settings forced on every start (SPEC "Config").
struct RuntimeSettings {
  std::filesystem::path data_dir;
  std::filesystem::path socket_dir;
  int port = 5432;
  bool logging = true;
  std::vector<std::string> preload; // already checked against the server's pkglibdir
  std::string cron_database;        // PG_DATABASE (pg_cron runs its jobs there)
  std::string signature;            // the request that produced these settings (fast path)
};

// The content of hectic.runtime.conf.
std::string render_runtime_conf(const RuntimeSettings& settings);
// The signature line recorded in a runtime conf, or "" when none.
std::string runtime_signature(std::string_view runtime_conf);
// The base settings appended to initdb's postgresql.conf on a fresh init (no PG_CONF_FILE).
std::string render_base_conf();
// conf with k_include_line as its last setting line (added, or moved to the end).
std::string with_include_last(std::string_view conf);
// pg_hba.conf: trust on the local socket, nothing else.
std::string render_hba_conf();

// The server log of a start that failed shows damaged data (control file, WAL, checkpoint,
// missing global/ files, PANIC during startup) rather than a configuration problem.
bool log_shows_damage(std::string_view log_text);
// The last max_lines non-empty lines of text.
std::vector<std::string> tail_lines(std::string_view text, std::size_t max_lines);

// Template cache directory name for a server version, the init options and the database the
// template already holds (created offline when the template is made).
std::string template_key(std::string_view server_version, std::string_view superuser, std::string_view database);

using Owner = fs::Owner;
// Copies a directory tree (regular files, dirs, symlinks), keeping modes; runs of zero
// blocks become holes. When owner is set, everything copied is chowned to it.
void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to,
               std::optional<Owner> owner = {});
// chown -R (symlinks themselves, not their targets).
void chown_tree(const std::filesystem::path& root, Owner owner);

// The first ancestor of path (path excluded) that the account cannot traverse, if any.
std::optional<std::filesystem::path> untraversable_parent(const std::filesystem::path& path, uid_t uid,
                                                          gid_t gid, const std::vector<gid_t>& groups);

} // namespace hectic::cluster::detail
