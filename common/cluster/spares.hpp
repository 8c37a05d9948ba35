#pragma once
// Spare data dirs: copies of the cached template cluster made ahead of time, in the background,
// so that a fresh init moves one into place with a rename(2) instead of copying ~1000 files
// while the user waits. The pool lives beside the template in HECTIC_CACHE_DIR/spares/<key>;
// a spare is used only when the pool and the working dir share a filesystem.
#include <filesystem>
#include <optional>

#include "common/base/fd.hpp"
#include "common/cluster/tree.hpp"

namespace hectic::cluster::spares {

struct Pool {
  std::filesystem::path dir;           // HECTIC_CACHE_DIR/spares/<template key>
  std::filesystem::path template_data; // HECTIC_CACHE_DIR/templates/<template key>/data
  std::optional<detail::Owner> owner;  // the server account, when we are root
  int size = 2;                        // PG_INIT_SPARES; 0 turns the pool off
};

// The template dir (the parent of template_data) opened and locked shared: the cache pruner
// never removes a template held so. Invalid when it is gone or being pruned.
UniqueFd hold_template(const std::filesystem::path& template_data);

// Moves a ready spare to data_dir (which must not exist). False when the pool is empty, off,
// unreadable or on another filesystem: the caller copies the template instead.
bool take(const Pool& pool, const std::filesystem::path& data_dir);

// Tops the pool up to its size in a detached, low-priority process (setsid, nice 19, idle I/O
// class) and returns at once. The filler is a fresh process: our own binary (/proc/self/exe)
// exec'd with the hidden filler argument, which its main hands to filler_entry(). One filler
// per pool at a time (flock); a filler that fails leaves no partial spare behind. Nothing is
// started when the pool is full or off, or when working_dir is on another filesystem than
// the pool (a rename could not use the spare).
void refill_in_background(const Pool& pool, const std::filesystem::path& working_dir);

// The filler's entry, first thing in the main of every binary that can start a cluster: when
// argv is the hidden filler call, fills the pool it names and returns the exit status;
// nullopt for any other command line.
std::optional<int> filler_entry(int argc, char** argv);

// Fills the pool in the calling process (what the background filler runs). Returns the number
// of spares added; 0 when another filler holds the pool's lock.
int fill(const Pool& pool);

} // namespace hectic::cluster::spares
