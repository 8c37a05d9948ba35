#pragma once
// Damage classification: whether a failed start shows damaged data (then a kept cluster is
// moved aside and recreated) rather than a configuration problem (then it is an error).
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hectic::cluster::detail {

// The server log of a start that failed (or of the first connection to a server that came up)
// shows damaged data: control file, checkpoint record, WAL, missing global/ or base/ files, a
// half-made data dir, a PANIC; texts of PostgreSQL 15's postmaster.c, xlog.c, xlogrecovery.c,
// relmapper.c and postinit.c. A configuration problem never matches.
bool log_shows_damage(std::string_view log_text);
// The last max_lines non-empty lines of text.
std::vector<std::string> tail_lines(std::string_view text, std::size_t max_lines);

// Renames damaged data_dir to working_dir/data.broken-<UTC stamp> and returns that path.
// Throws Error(generic) when it cannot be moved.
std::filesystem::path move_damaged_aside(const std::filesystem::path& working_dir,
                                         const std::filesystem::path& data_dir);

} // namespace hectic::cluster::detail
