#pragma once
// postmaster.pid and the probes that tell whether its server still runs: the process (alive,
// named postgres) and the unix socket it listens on.
#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hectic::cluster::detail {

// Unix socket paths are limited by sockaddr_un.sun_path (108 bytes with the NUL).
inline constexpr std::size_t k_max_socket_path = 107;

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
// pid is the postmaster of data_dir: a live postgres process working in data_dir (its
// /proc/PID/cwd, or where that is not readable its command line's -D) whose parent is not a
// postgres process of that same directory (a backend's parent is its postmaster). A pidfile
// may name a recycled pid, another cluster's postmaster or one of its backends.
bool is_postmaster_of(pid_t pid, const std::filesystem::path& data_dir);

// What a data dir's postmaster.pid tells.
enum class ServerState { none, running, stale };
// The state of data_dir's server; the pidfile read is stored in *pidfile when given.
ServerState server_state(const std::filesystem::path& data_dir, std::optional<PidFile>* pidfile = nullptr);

// <socket_dir>/.s.PGSQL.<port>
std::filesystem::path socket_file(const std::filesystem::path& socket_dir, int port);
// A process accepts connections on that unix socket path.
bool socket_listening(const std::filesystem::path& socket_path);

} // namespace hectic::cluster::detail
