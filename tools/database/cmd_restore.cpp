// database restore: replace the cluster's data with a backup.
#include <iostream>

#include "common/project/backup.hpp"
#include "common/base/log.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {
namespace {
bool g_archive = false;
std::string g_path;
} // namespace

void register_restore(CLI::App& app, Globals&, Action& action) {
  auto* sub = app.add_subcommand("restore", "stop the cluster, replace data/ with a backup, start it");
  sub->add_flag("--archive", g_archive, "PATH is one tar(.gz) file, not a backup directory");
  sub->add_option("path", g_path, "backup directory (default $LOCAL_DIR/focus/postgresql-backup)");
  sub->footer(R"EX(Examples:
  database restore                               # focus/postgresql-backup
  database restore focus/postgresql-backup-normalized
  database restore --archive /tmp/prod-backup.tar.gz)EX");
  sub->callback([&action] {
    action = [] {
      auto path = g_path.empty() ? backup::default_dir() : std::filesystem::path(g_path);
      auto endpoint = backup::restore_into(cluster::Config::from_env(), path, g_archive);
      log::Logger("db restore").info("restored {} into {}", path.string(), endpoint.socket_dir);
      std::cout << endpoint.shell_exports() << std::flush;
      return 0;
    };
  });
}

} // namespace hectic::database
