#include "common/cluster/pidfile.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
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

ServerState server_state(const stdfs::path& data_dir, std::optional<PidFile>* out) {
  auto pidfile = read_pidfile(data_dir);
  if (out) *out = pidfile;
  if (!pidfile) {
    std::error_code ec;
    // An unparsable (e.g. empty) pidfile is stale too; an absent one means no server.
    return stdfs::exists(data_dir / "postmaster.pid", ec) ? ServerState::stale : ServerState::none;
  }
  // A recycled pid may belong to any process: only a live postgres counts as our server.
  if (process_alive(pidfile->pid) && is_postgres_process(pidfile->pid)) return ServerState::running;
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
