#pragma once
// Helpers shared by the cluster integration tests (header only: CMake builds one test
// executable per .cpp in this directory).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <set>
#include <cstdlib>
#include <string_view>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "common/cluster/detail.hpp"
#include "common/base/process.hpp"
#include "tests/support/harness.hpp"

namespace hectic::test::cluster_util {

namespace stdfs = std::filesystem;

// The postmaster pid of a working dir, or 0 when no postmaster.pid.
inline pid_t postmaster_pid(const stdfs::path& working_dir) {
  auto pidfile = cluster::detail::read_pidfile(working_dir / "data");
  return pidfile ? pidfile->pid : 0;
}

// A live postgres holds the working dir.
inline bool server_running(const stdfs::path& working_dir) {
  pid_t pid = postmaster_pid(working_dir);
  return pid > 0 && cluster::detail::process_alive(pid) && cluster::detail::is_postgres_process(pid);
}

// Pids of the processes whose working directory is dir (a postmaster and its children run in
// their data directory): none once nothing of that cluster runs.
inline std::vector<pid_t> processes_in(const stdfs::path& dir) {
  std::vector<pid_t> pids;
  std::error_code ec;
  auto wanted = stdfs::weakly_canonical(dir, ec);
  for (const auto& entry : stdfs::directory_iterator("/proc", ec)) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code cwd_ec;
    auto cwd = stdfs::read_symlink(entry.path() / "cwd", cwd_ec);
    if (!cwd_ec && (cwd == wanted || cwd == dir)) pids.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return pids;
}

// Pids of the processes working anywhere under dir (also in a removed one: "dir/... (deleted)").
inline std::vector<pid_t> processes_under(const stdfs::path& dir) {
  std::vector<pid_t> pids;
  std::error_code ec;
  const auto prefix = dir.string();
  for (const auto& entry : stdfs::directory_iterator("/proc", ec)) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code cwd_ec;
    auto cwd = stdfs::read_symlink(entry.path() / "cwd", cwd_ec).string();
    if (!cwd_ec && cwd.rfind(prefix, 0) == 0) pids.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return pids;
}

// The account the server runs as: postgres (or PG_RUN_AS) as root, else ourselves.
inline std::string expected_user() {
  return process::running_as_root() ? std::string("postgres") : process::current_account().name;
}

inline std::string slurp(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void spit(const stdfs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// Milliseconds taken by f.
template <typename F> long elapsed_ms(F&& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
}

// The first entry of dir whose name starts with prefix.
inline std::optional<stdfs::path> find_prefixed(const stdfs::path& dir, const std::string& prefix) {
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(dir, ec))
    if (entry.path().filename().string().rfind(prefix, 0) == 0) return entry.path();
  return std::nullopt;
}

} // namespace hectic::test::cluster_util
