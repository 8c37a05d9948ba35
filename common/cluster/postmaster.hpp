#pragma once
// Proving that a pid is the postmaster of one data directory before anything signals it: a
// postmaster.pid may name a recycled pid, another cluster's postmaster or one of its backends
// (all of them are called "postgres").
#include <sys/types.h>

#include <filesystem>

namespace hectic::cluster {

// True when pid is alive, is a postgres process whose working directory (or, where /proc/PID/cwd
// is not readable, whose command line's -D) is data_dir, and whose parent is not a postgres
// process of that same directory (a backend's parent is its postmaster).
bool is_postmaster_of(pid_t pid, const std::filesystem::path& data_dir);

} // namespace hectic::cluster
