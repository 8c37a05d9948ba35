#pragma once
// Directory trees of a data dir: the copy of the cached template (sparse, modes kept), chown
// for the server account, and whether that account can reach a path.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "common/base/fs.hpp"

namespace hectic::cluster::detail {

// An account to give files to (the server account, when we are root).
using Owner = fs::Owner;

// Copies a directory tree (regular files, dirs, symlinks), keeping modes; runs of zero
// blocks become holes. When owner is set, everything copied is chowned to it.
void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to,
               std::optional<Owner> owner = {});
// chown -R (symlinks themselves, not their targets).
void chown_tree(const std::filesystem::path& root, Owner owner);

// The first ancestor of path (path excluded) that the account cannot traverse, if any.
std::optional<std::filesystem::path> untraversable_parent(const std::filesystem::path& path, uid_t uid,
                                                          gid_t gid, const std::vector<gid_t>& groups);

} // namespace hectic::cluster::detail
