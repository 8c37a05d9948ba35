#pragma once
// The server process of a cluster: launching it and waiting until it answers (readiness.cpp),
// and stopping it by its postmaster pid (server.cpp).
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "common/base/error.hpp"
#include "common/cluster/cluster.hpp"

namespace hectic::cluster::detail {

// Bounds of the waits (every wait is bounded) and the poll interval of each.
inline constexpr auto k_start_timeout = std::chrono::seconds(60);
inline constexpr auto k_fast_stop_timeout = std::chrono::seconds(30);
inline constexpr auto k_immediate_stop_timeout = std::chrono::seconds(5);
inline constexpr auto k_poll = std::chrono::milliseconds(3);

// A libpq conninfo for `database` on the endpoint's socket.
std::string conninfo_for(const Endpoint& endpoint, const std::string& database);

// Stops the server of data_dir by its postmaster pid: fast, then immediate when fast does not
// finish in time; immediate right away when asked. Throws Error(generic) when it does not stop.
void stop_server(const std::filesystem::path& data_dir, pid_t pid, bool immediate = false);

// How one start of the server went.
struct StartResult {
  bool ok = false;
  std::string log;    // what the server logged during this start
  std::string reason; // why we think it failed
  // Everything the server has logged since this start began, read now (for a server that came
  // up but whose first connections fail).
  std::function<std::string()> log_since_start;
};

// Starts the server of data_dir (pg_ctl start, server log appended) and waits until it
// answers on the endpoint's socket, or has failed.
StartResult start_server(const Config& config, const std::filesystem::path& working_dir,
                         const std::filesystem::path& data_dir, const Endpoint& endpoint);

// The Error(ambiguous) for a failed start: the server's first FATAL/PANIC line, the log tail.
Error start_error(const StartResult& result, const std::filesystem::path& data_dir,
                  const std::filesystem::path& server_log);

} // namespace hectic::cluster::detail
