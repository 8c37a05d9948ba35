#include "common/project/layout.hpp"

#include <unistd.h>

#include "common/base/env.hpp"
#include "common/base/log.hpp"
#include "common/base/process.hpp"
#include "common/cluster/cluster.hpp"
#include "common/cluster/detail.hpp"

namespace hectic::layout {

namespace {
const log::Logger k_log{"db deploy"};
} // namespace

std::filesystem::path focus_dir() { return env::local_dir() / env::k_focus_dir_name; }

std::filesystem::path backup_dir() { return focus_dir() / "postgresql-backup"; }
std::filesystem::path normalized_backup_dir() { return focus_dir() / "postgresql-backup-normalized"; }
std::filesystem::path diff_logs_dir() { return focus_dir() / "postgresql-diff-logs"; }

std::filesystem::path scratch_parent() {
  auto focus = focus_dir();
  if (!process::running_as_root()) return focus;
  std::error_code ec;
  std::filesystem::create_directories(focus, ec);
  auto config = cluster::Config::for_working_dir(focus / "probe");
  if (!config.run_as) return focus;
  auto blocked = cluster::detail::untraversable_parent(focus / "probe", config.run_as->uid, config.run_as->gid,
                                                       config.run_as->groups);
  if (!blocked) return focus;
  auto alternative = env::pg_working_dir().parent_path();
  k_log.notice("{} cannot reach {}; throw-away clusters go to {}", config.run_as->name, blocked->string(),
               alternative.string());
  return alternative;
}

std::filesystem::path check_working_dir() { return scratch_parent() / "postgresql-check-tmp"; }

std::filesystem::path migrator_program() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto sibling = self.parent_path() / "migrator";
    if (::access(sibling.c_str(), X_OK) == 0) return sibling;
  }
  return process::find_program("migrator");
}

} // namespace hectic::layout
