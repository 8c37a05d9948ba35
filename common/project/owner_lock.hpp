#pragma once
// Who owns a throw-away cluster directory (check, diff, normalize-backup): an flock on
// DIR.lock held for the owner's lifetime, with its pid inside, removed when it ends. The
// kernel drops the lock when the owner dies, so a directory whose lock can be taken is a
// leftover nobody is using.
#include <filesystem>
#include <string>

#include "common/base/fd.hpp"

namespace hectic::owner_lock {

// Holds the lock on <dir>.lock until destroyed.
class OwnerLock {
public:
  // Takes the lock, or throws Error(ambiguous) "another WHAT is running (pid N) in DIR" while
  // a live process holds it. what names the command for that message ("check", "diff").
  OwnerLock(const std::filesystem::path& dir, const std::string& what);
  // Removes the lock file, then lets go of the lock.
  ~OwnerLock();
  OwnerLock(const OwnerLock&) = delete;
  OwnerLock& operator=(const OwnerLock&) = delete;

private:
  std::string m_path; // <dir>.lock
  UniqueFd m_fd;
};

} // namespace hectic::owner_lock
