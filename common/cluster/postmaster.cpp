#include "common/cluster/postmaster.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "common/base/fs.hpp"
#include "common/base/text.hpp"

namespace hectic::cluster {

namespace stdfs = std::filesystem;

namespace {

std::string proc_text(pid_t pid, const char* entry) {
  try {
    return fs::read_file(fmt::format("/proc/{}/{}", pid, entry));
  } catch (const std::exception&) {
    return {};
  }
}

bool named_postgres(pid_t pid) {
  auto name = text::trim(proc_text(pid, "comm"));
  return name == "postgres" || name == "postmaster";
}

// The parent pid from /proc/PID/stat ("pid (comm) state ppid ..."); comm may hold spaces.
std::optional<pid_t> parent_of(pid_t pid) {
  auto stat = proc_text(pid, "stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  char state = 0;
  int ppid = 0;
  if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) != 2)
    return std::nullopt;
  return static_cast<pid_t>(ppid);
}

bool same_directory(const stdfs::path& a, const stdfs::path& b) {
  std::error_code ec;
  return stdfs::equivalent(a, b, ec) && !ec;
}

// The -D argument of the process's command line (NUL-separated), when it has one.
std::optional<stdfs::path> data_dir_argument(pid_t pid) {
  auto cmdline = proc_text(pid, "cmdline");
  std::vector<std::string> args;
  for (std::size_t start = 0; start < cmdline.size();) {
    auto end = cmdline.find('\0', start);
    if (end == std::string::npos) end = cmdline.size();
    args.emplace_back(cmdline.substr(start, end - start));
    start = end + 1;
  }
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "-D") return stdfs::path(args[i + 1]);
  return std::nullopt;
}

// Its working directory is data_dir: the postmaster and every backend chdir there.
bool works_in(pid_t pid, const stdfs::path& data_dir) {
  std::error_code ec;
  auto cwd = stdfs::read_symlink(fmt::format("/proc/{}/cwd", pid), ec);
  if (!ec) return same_directory(cwd, data_dir);
  // Another account's process (no root): its command line is readable to everyone.
  auto argument = data_dir_argument(pid);
  return argument && same_directory(*argument, data_dir);
}

} // namespace

bool is_postmaster_of(pid_t pid, const stdfs::path& data_dir) {
  if (pid <= 0 || !named_postgres(pid) || !works_in(pid, data_dir)) return false;
  auto parent = parent_of(pid);
  return !(parent && *parent > 1 && named_postgres(*parent) && works_in(*parent, data_dir));
}

} // namespace hectic::cluster
