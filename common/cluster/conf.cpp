#include "common/cluster/detail.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/text.hpp"

namespace hectic::cluster::detail {
namespace stdfs = std::filesystem;

namespace {

// Small files only (postmaster.pid, /proc/<pid>/comm): no exceptions, "" when unreadable.
std::string slurp(const stdfs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  std::array<char, 4096> buffer;
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

[[noreturn]] void fail_errno(std::string_view what, const stdfs::path& path) {
  throw Error(ExitCode::generic,
              fmt::format("could not {} {}: {}", what, path.string(), std::strerror(errno)));
}

} // namespace

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
  auto text = slurp(data_dir / "postmaster.pid");
  if (text.empty()) return std::nullopt;
  return parse_pidfile(text);
}

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  // A zombie is dead for our purposes (an init that does not reap leaves them around).
  auto stat = slurp(fmt::format("/proc/{}/stat", pid));
  auto close_paren = stat.rfind(')');
  if (close_paren != std::string::npos && close_paren + 2 < stat.size() && stat[close_paren + 2] == 'Z')
    return false;
  return true;
}

bool is_postgres_process(pid_t pid) {
  auto comm = slurp(fmt::format("/proc/{}/comm", pid));
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
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  } while (rc != 0 && errno == EINTR);
  ::close(fd);
  return rc == 0;
}

std::vector<std::string> split_libraries(std::string_view text) {
  std::vector<std::string> libraries;
  while (true) {
    auto comma = text.find(',');
    auto item = text::trim(text.substr(0, comma));
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"')
      item = item.substr(1, item.size() - 2);
    if (!item.empty()) libraries.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return libraries;
}

stdfs::path library_file(const std::string& library, const stdfs::path& pkglib_dir) {
  std::string name = library;
  const std::string libdir = "$libdir/";
  if (name.rfind(libdir, 0) == 0) name = (pkglib_dir / name.substr(libdir.size())).string();
  stdfs::path path = name.find('/') == std::string::npos ? pkglib_dir / name : stdfs::path(name);
  // The server appends the shared-library suffix when the name has none.
  if (path.extension() != ".so") path += ".so";
  return path;
}

PreloadDecision decide_preload(std::string_view requested, bool explicit_request, const stdfs::path& pkglib_dir) {
  PreloadDecision decision;
  for (const auto& library : split_libraries(requested)) {
    auto file = library_file(library, pkglib_dir);
    std::error_code ec;
    if (stdfs::exists(file, ec)) {
      decision.kept.push_back(library);
      continue;
    }
    if (explicit_request)
      throw Error(ExitCode::missing_program,
                  fmt::format("preload library '{}' is not installed: {} does not exist", library, file.string()),
                  {"install it (Debian: postgresql-15-cron for pg_cron), or fix PG_SHARED_PRELOAD_LIBRARIES",
                   "PG_SHARED_PRELOAD_LIBRARIES= (empty) starts without preload libraries"});
    decision.missing.emplace_back(library, file);
  }
  return decision;
}

std::string conf_quote(std::string_view value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') quoted += "''";
    else if (c == '\\') quoted += "\\\\";
    else quoted += c;
  }
  quoted += '\'';
  return quoted;
}

std::string render_runtime_conf(const RuntimeSettings& settings) {
  std::string signature = settings.signature;
  std::replace(signature.begin(), signature.end(), '\n', ' ');
  std::string text = fmt::format(
      "# Written by postgres-init on every start: edits here are overwritten.\n"
      "# hectic-signature: {}\n"
      "listen_addresses = ''\n"
      "port = {}\n"
      "unix_socket_directories = {}\n"
      "hba_file = {}\n"
      "ident_file = {}\n"
      "logging_collector = {}\n",
      signature, settings.port, conf_quote(settings.socket_dir.string()),
      conf_quote((settings.data_dir / "pg_hba.conf").string()),
      conf_quote((settings.data_dir / "pg_ident.conf").string()), settings.logging ? "on" : "off");
  if (!settings.preload.empty()) {
    std::string joined;
    for (const auto& library : settings.preload) joined += (joined.empty() ? "" : ",") + library;
    text += fmt::format("shared_preload_libraries = {}\n", conf_quote(joined));
    bool cron = std::any_of(settings.preload.begin(), settings.preload.end(),
                            [](const std::string& l) { return stdfs::path(l).stem() == "pg_cron"; });
    if (cron) {
      // pg_cron connects for its jobs; with no TCP listener it must use the socket dir.
      text += fmt::format("cron.database_name = {}\n", conf_quote(settings.cron_database));
      text += fmt::format("cron.host = {}\n", conf_quote(settings.socket_dir.string()));
    }
  }
  return text;
}

std::string runtime_signature(std::string_view runtime_conf) {
  const std::string_view prefix = "# hectic-signature: ";
  for (auto line : text::split_lines(runtime_conf))
    if (line.substr(0, prefix.size()) == prefix) return std::string(line.substr(prefix.size()));
  return {};
}

std::string render_base_conf() {
  return "\n"
         "# --- postgres-init: base settings of a throw-away development cluster ---\n"
         "max_connections = 100\n"
         "shared_buffers = 128MB\n"
         "# Throw-away clusters: no fsync (an OS crash can corrupt the data; postgres-init with\n"
         "# PG_REUSE then moves it aside and starts fresh). Commits still reach the kernel, so a\n"
         "# crashed server loses nothing.\n"
         "fsync = off\n"
         "log_destination = 'stderr'\n"
         "log_directory = 'log'\n"
         "log_filename = 'postgresql-%Y-%m-%d_%H%M%S.log'\n"
         "log_file_mode = 0640\n"
         "log_line_prefix = '%m [%p] %q%u@%d '\n";
}

std::string with_include_last(std::string_view conf) {
  const std::string_view comment = "# hectic: the settings postgres-init forces on every start";
  std::vector<std::string_view> kept;
  for (auto line : text::split_lines(conf)) {
    auto content = text::trim(line);
    if (content == k_include_line || content == comment) continue;
    kept.push_back(line);
  }
  while (!kept.empty() && text::trim(kept.back()).empty()) kept.pop_back();
  std::string text;
  for (auto line : kept) {
    text += line;
    text += '\n';
  }
  text += fmt::format("\n{}\n{}\n", comment, k_include_line);
  return text;
}

std::string render_hba_conf() {
  // replication: `database backup` runs pg_basebackup over the same socket.
  return "# Written by postgres-init: trust on the local socket, no TCP.\n"
         "# TYPE  DATABASE     USER  METHOD\n"
         "local   all          all   trust\n"
         "local   replication  all   trust\n";
}

bool log_shows_damage(std::string_view log_text) {
  // Reading its own data failed: control file, checkpoint, WAL, global/ files.
  static constexpr std::array<std::string_view, 16> k_patterns = {
      "could not read file \"global/pg_control\"",
      "could not open file \"global/pg_control\"",
      "could not read from control file",
      "incorrect checksum in control file",
      "initialized with PG_CONTROL_VERSION",
      "possible byte ordering mismatch",
      "invalid checkpoint",
      "could not locate a valid checkpoint record",
      "could not locate required checkpoint record",
      "invalid primary checkpoint record",
      "could not find redo location referenced by checkpoint record",
      "could not open file \"global/",
      "could not open directory \"global\"",
      "could not open file \"pg_wal/",
      "invalid resource manager ID in checkpoint record",
      "PANIC:",
  };
  return std::any_of(k_patterns.begin(), k_patterns.end(),
                     [&](std::string_view p) { return log_text.find(p) != std::string_view::npos; });
}

std::vector<std::string> tail_lines(std::string_view text, std::size_t max_lines) {
  std::vector<std::string> lines;
  for (auto line : text::split_lines(text))
    if (!text::trim(line).empty()) lines.emplace_back(line);
  if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - static_cast<long>(max_lines));
  return lines;
}

std::string template_key(std::string_view server_version, std::string_view superuser, std::string_view database) {
  auto clean = [](std::string_view text) {
    std::string out;
    for (char c : text)
      out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
    return out;
  };
  // A database name that had to be cleaned gets a stable hash (FNV-1a) so that "a b" and
  // "a_b" do not share a template.
  auto db = clean(database);
  if (db != database) {
    std::uint32_t hash = 2166136261u;
    for (unsigned char c : database) hash = (hash ^ c) * 16777619u;
    db += fmt::format("-{:08x}", hash);
  }
  // v2: initdb -E UTF8 --no-locale -A trust, then CREATE DATABASE offline; bump when the init
  // options change.
  return fmt::format("pg{}-{}-utf8-nolocale-trust-db_{}-v2", clean(server_version), clean(superuser), db);
}

namespace {

bool all_zero(const char* data, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i)
    if (data[i] != 0) return false;
  return true;
}

void copy_file_sparse(const stdfs::path& from, const stdfs::path& to, const struct stat& st,
                      std::optional<Owner> owner) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) fail_errno("read", from);
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
  if (out < 0) {
    ::close(in);
    fail_errno("create", to);
  }
  static thread_local std::array<char, 1 << 17> buffer;
  constexpr std::size_t k_block = 8192;
  off_t offset = 0;
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ok = false;
      break;
    }
    if (n == 0) break;
    // Write non-zero blocks; zero blocks stay holes (initdb zero-fills its WAL segment).
    for (std::size_t pos = 0; pos < static_cast<std::size_t>(n); pos += k_block) {
      std::size_t len = std::min(k_block, static_cast<std::size_t>(n) - pos);
      if (all_zero(buffer.data() + pos, len)) continue;
      std::size_t written = 0;
      while (written < len) {
        ssize_t w = ::pwrite(out, buffer.data() + pos + written, len - written,
                             offset + static_cast<off_t>(pos + written));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          ok = false;
          break;
        }
        written += static_cast<std::size_t>(w);
      }
      if (!ok) break;
    }
    if (!ok) break;
    offset += n;
  }
  if (ok && ::ftruncate(out, offset) != 0) ok = false;
  if (ok && owner && ::fchown(out, owner->uid, owner->gid) != 0) ok = false;
  int saved = errno;
  ::close(in);
  ::close(out);
  errno = saved;
  if (!ok) fail_errno("copy into", to);
}

void copy_dir(const stdfs::path& from, const stdfs::path& to, mode_t mode, std::optional<Owner> owner) {
  if (::mkdir(to.c_str(), 0700) != 0) fail_errno("create directory", to);
  DIR* dir = ::opendir(from.c_str());
  if (!dir) fail_errno("read directory", from);
  struct DirCloser {
    DIR* d;
    ~DirCloser() { ::closedir(d); }
  } closer{dir};
  while (dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    auto source = from / entry->d_name;
    auto target = to / entry->d_name;
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0) fail_errno("stat", source);
    if (S_ISDIR(st.st_mode)) {
      copy_dir(source, target, st.st_mode & 07777, owner);
    } else if (S_ISREG(st.st_mode)) {
      copy_file_sparse(source, target, st, owner);
    } else if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      auto link = stdfs::read_symlink(source, ec);
      if (ec || ::symlink(link.c_str(), target.c_str()) != 0) fail_errno("copy symlink", target);
      if (owner && ::lchown(target.c_str(), owner->uid, owner->gid) != 0) fail_errno("chown", target);
    }
    // Sockets, fifos and devices have no place in a data dir template: skipped.
  }
  if (owner && ::chown(to.c_str(), owner->uid, owner->gid) != 0) fail_errno("chown", to);
  if (::chmod(to.c_str(), mode) != 0) fail_errno("chmod", to);
}

} // namespace

void copy_tree(const stdfs::path& from, const stdfs::path& to, std::optional<Owner> owner) {
  struct stat st {};
  if (::stat(from.c_str(), &st) != 0) fail_errno("read", from);
  if (!S_ISDIR(st.st_mode))
    throw Error(ExitCode::generic, fmt::format("could not copy {}: not a directory", from.string()));
  copy_dir(from, to, st.st_mode & 07777, owner);
}

void chown_tree(const stdfs::path& root, Owner owner) {
  if (::lchown(root.c_str(), owner.uid, owner.gid) != 0) fail_errno("chown", root);
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(root, ec); !ec && it != stdfs::recursive_directory_iterator();
       it.increment(ec)) {
    if (::lchown(it->path().c_str(), owner.uid, owner.gid) != 0) fail_errno("chown", it->path());
  }
  if (ec) throw Error(ExitCode::generic, fmt::format("could not chown {}: {}", root.string(), ec.message()));
}

std::optional<stdfs::path> untraversable_parent(const stdfs::path& path, uid_t uid, gid_t gid,
                                                const std::vector<gid_t>& groups) {
  auto absolute = stdfs::absolute(path).lexically_normal();
  for (auto dir = absolute.parent_path(); ; dir = dir.parent_path()) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
      bool ok;
      if (uid == 0) ok = true;
      else if (st.st_uid == uid) ok = st.st_mode & S_IXUSR;
      else if (st.st_gid == gid || std::find(groups.begin(), groups.end(), st.st_gid) != groups.end())
        ok = st.st_mode & S_IXGRP;
      else ok = st.st_mode & S_IXOTH;
      if (!ok) return dir;
    }
    if (dir == dir.root_path() || dir.empty()) break;
  }
  return std::nullopt;
}

} // namespace hectic::cluster::detail
