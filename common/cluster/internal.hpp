#pragma once
// What the cluster units share and callers of cluster.hpp do not see: the logger, the server
// account of a Config, the names of the files we keep, and the quiet file reader.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/cluster/cluster.hpp"

namespace hectic::cluster::detail {

// The server log written by pg_ctl -l (under PG_LOG_PATH or the working dir).
inline constexpr const char* k_server_log = "server.log";
// The superuser (role) of the cluster, recorded in its data dir (see kept_superuser).
inline constexpr const char* k_superuser_file = "hectic.superuser";

// The "cluster" logger of every unit of this layer.
const log::Logger& logger();

// The account the server's files belong to: set only when we are root (PG_RUN_AS).
std::optional<fs::Owner> owner_of(const Config& config);

// The role initdb creates: the server account's name, also libpq's default user for it.
std::string superuser_of(const Config& config);

// The bytes of path from offset on; "" when it cannot be read. Never throws: for small or
// racing files (postmaster.pid, /proc/<pid>/comm) and the new part of a growing server log.
std::string read_file_or_empty(const std::filesystem::path& path, std::uintmax_t offset = 0);

} // namespace hectic::cluster::detail
