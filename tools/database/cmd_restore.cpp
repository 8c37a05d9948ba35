// database restore: replace the cluster's data with a backup.
#include <iostream>
#include <memory>

#include "common/project/backup.hpp"
#include "common/base/log.hpp"
#include "common/project/layout.hpp"
#include "common/project/target.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct RestoreOptions {
  bool archive = false;
  std::string path; // empty: layout::backup_dir()
};

int run_restore(const RestoreOptions& options) {
  auto path = options.path.empty() ? layout::backup_dir() : std::filesystem::path(options.path);
  auto config = cluster::Config::from_env();
  // restore swaps the project's data/: a URL left in the environment names no other target.
  target::note_ignored_url_variables("restore", cluster::endpoint_of(config).url);
  auto endpoint = backup::restore_into(config, path, options.archive);
  log::Logger("db restore").info("restored {} into {}", path.string(), endpoint.socket_dir);
  std::cout << endpoint.shell_exports() << std::flush;
  return 0;
}

} // namespace

void register_restore(CLI::App& app, Globals&, Action& action) {
  auto options = std::make_shared<RestoreOptions>();
  auto* sub = app.add_subcommand("restore", "stop the cluster, replace data/ with a backup, start it");
  sub->add_flag("--archive", options->archive, "PATH is one tar(.gz) file, not a backup directory");
  sub->add_option("path", options->path, "backup directory (default $LOCAL_DIR/focus/postgresql-backup)");
  sub->footer(R"EX(Examples:
  database restore                               # focus/postgresql-backup
  database restore focus/postgresql-backup-normalized
  database restore --archive /tmp/prod-backup.tar.gz)EX");
  sub->callback([&action, options] {
    action = [options] { return run_restore(*options); };
  });
}

} // namespace hectic::tools::database
