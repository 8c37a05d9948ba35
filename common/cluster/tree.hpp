#pragma once
// Directory trees of a data dir: the copy of the cached template (sparse, modes kept), chown
// for the server account, and whether that account can reach a path.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "common/base/fd.hpp"
#include "common/base/fs.hpp"

namespace hectic::cluster::detail {

// An account to give files to (the server account, when we are root).
using Owner = fs::Owner;

// Copies a directory tree (regular files, dirs, symlinks), keeping modes; runs of zero
// blocks become holes. When owner is set, everything copied is chowned to it. The copy is
// made relative to directory fds (O_NOFOLLOW, O_EXCL): a link planted under `to` is never
// followed, and owner and mode are set through the fds.
void copy_tree(const std::filesystem::path& from, const std::filesystem::path& to,
               std::optional<Owner> owner = {});
// chown -R (symlinks themselves, not their targets), walked through directory fds opened with
// O_NOFOLLOW: an entry swapped for a link midway is an error, never followed; root as in
// open_own_dir.
void chown_tree(const std::filesystem::path& root, Owner owner);

// Opens the directory path (to chown or chmod it through the fd). A symbolic link there is
// followed only when it is our own: one another account made is refused, naming it. Invalid
// (errno set) when it cannot be opened.
UniqueFd open_own_dir(const std::filesystem::path& path);

// Throws Error(generic): path is a symbolic link where root expected a file or directory.
[[noreturn]] void refuse_link(const std::filesystem::path& path);

// The first ancestor of path (path excluded) that the account cannot traverse, if any.
std::optional<std::filesystem::path> untraversable_parent(const std::filesystem::path& path, uid_t uid,
                                                          gid_t gid, const std::vector<gid_t>& groups);

} // namespace hectic::cluster::detail
