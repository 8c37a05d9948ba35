#include "common/cluster/pidfile.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "common/base/fd.hpp"
#include "common/base/text.hpp"
#include "common/cluster/internal.hpp"

namespace hectic::cluster::detail {
namespace stdfs = std::filesystem;

std::optional<PidFile> parse_pidfile(std::string_view text) {
  auto lines = text::split_lines(text);
  if (lines.empty()) return std::nullopt;
  PidFile pidfile;
  auto first = text::trim(lines[0]);
  long pid = 0;
  for (char c : first) {
    if (c < '0' || c > '9') return std::nullopt;
    pid = pid * 10 + (c - '0');
    if (pid > 1'000'000'000) return std::nullopt;
  }
  if (pid <= 0) return std::nullopt;
  pidfile.pid = static_cast<pid_t>(pid);
  if (lines.size() > 1) pidfile.data_dir = std::string(text::trim(lines[1]));
  if (lines.size() > 3) {
    auto port = text::trim(lines[3]);
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') {
        value = 0;
        break;
      }
      value = value * 10 + (c - '0');
      if (value > 65535) break;
    }
    pidfile.port = value;
  }
  if (lines.size() > 4) pidfile.socket_dir = std::string(text::trim(lines[4]));
  if (lines.size() > 7) pidfile.status = std::string(text::trim(lines[7]));
  return pidfile;
}

std::optional<PidFile> read_pidfile(const stdfs::path& data_dir) {
  auto text = read_file_or_empty(data_dir / "postmaster.pid");
  if (text.empty()) return std::nullopt;
  return parse_pidfile(text);
}

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  // A zombie is dead for our purposes (an init that does not reap leaves them around).
  auto stat = read_file_or_empty(fmt::format("/proc/{}/stat", pid));
  auto close_paren = stat.rfind(')');
  if (close_paren != std::string::npos && close_paren + 2 < stat.size() && stat[close_paren + 2] == 'Z')
    return false;
  return true;
}

bool is_postgres_process(pid_t pid) {
  auto comm = read_file_or_empty(fmt::format("/proc/{}/comm", pid));
  auto name = text::trim(std::string_view(comm));
  if (!name.empty() && name.back() == '\n') name.remove_suffix(1);
  return name == "postgres" || name == "postmaster";
}

namespace {

// The parent pid from /proc/PID/stat ("pid (comm) state ppid ..."); comm may hold spaces.
pid_t parent_of(pid_t pid) {
  auto stat = read_file_or_empty(fmt::format("/proc/{}/stat", pid));
  auto close_paren = stat.rfind(')');
  char state = 0;
  int ppid = 0;
  if (close_paren == std::string::npos || std::sscanf(stat.c_str() + close_paren + 1, " %c %d", &state, &ppid) != 2)
    return 0;
  return static_cast<pid_t>(ppid);
}

bool same_directory(const stdfs::path& a, const stdfs::path& b) {
  std::error_code ec;
  return stdfs::equivalent(a, b, ec) && !ec;
}

// The -D argument of the process's NUL-separated command line (pg_ctl starts postgres so).
std::optional<stdfs::path> data_dir_argument(pid_t pid) {
  auto cmdline = read_file_or_empty(fmt::format("/proc/{}/cmdline", pid));
  std::string_view rest(cmdline);
  bool after_flag = false;
  while (!rest.empty()) {
    auto arg = rest.substr(0, rest.find('\0'));
    if (after_flag) return stdfs::path(std::string(arg));
    after_flag = arg == "-D";
    rest.remove_prefix(std::min(rest.size(), arg.size() + 1));
  }
  return std::nullopt;
}

// The postmaster and every backend chdir to the data dir.
bool works_in(pid_t pid, const stdfs::path& data_dir) {
  std::error_code ec;
  auto cwd = stdfs::read_symlink(fmt::format("/proc/{}/cwd", pid), ec);
  if (!ec) return same_directory(cwd, data_dir);
  // Another account's process, and we are not root: its command line is readable to all.
  auto argument = data_dir_argument(pid);
  return argument && same_directory(*argument, data_dir);
}

} // namespace

bool is_postmaster_of(pid_t pid, const stdfs::path& data_dir) {
  if (!process_alive(pid) || !is_postgres_process(pid) || !works_in(pid, data_dir)) return false;
  pid_t parent = parent_of(pid);
  return !(parent > 1 && is_postgres_process(parent) && works_in(parent, data_dir));
}

ServerState server_state(const stdfs::path& data_dir, std::optional<PidFile>* out) {
  auto pidfile = read_pidfile(data_dir);
  if (out) *out = pidfile;
  if (!pidfile) {
    std::error_code ec;
    // An unparsable (e.g. empty) pidfile is stale too; an absent one means no server.
    return stdfs::exists(data_dir / "postmaster.pid", ec) ? ServerState::stale : ServerState::none;
  }
  // A recycled pid, another cluster's postmaster or backend: only ours counts as our server.
  if (is_postmaster_of(pidfile->pid, data_dir)) return ServerState::running;
  return ServerState::stale;
}

stdfs::path socket_file(const stdfs::path& socket_dir, int port) {
  return socket_dir / fmt::format(".s.PGSQL.{}", port);
}

bool socket_listening(const stdfs::path& socket_path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const auto& text = socket_path.native();
  if (text.size() >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address));
  } while (rc != 0 && errno == EINTR);
  return rc == 0;
}

} // namespace hectic::cluster::detail
