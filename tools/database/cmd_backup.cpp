// database backup: pg_basebackup of the running cluster.
#include <memory>

#include "common/project/backup.hpp"
#include "common/project/target.hpp"
#include "common/base/log.hpp"
#include "common/project/layout.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct BackupOptions {
  std::string output; // -o/--output; empty: layout::backup_dir()
};

int run_backup(const Globals& globals, const BackupOptions& options) {
  auto dir = options.output.empty() ? layout::backup_dir() : std::filesystem::path(options.output);
  backup::create(target::project_url_unless_explicit(globals.url, "backup"), dir);
  log::Logger("db backup").info("backup written to {}", dir.string());
  return 0;
}

} // namespace

void register_backup(CLI::App& app, Globals& globals, Action& action) {
  auto options = std::make_shared<BackupOptions>();
  auto* sub = app.add_subcommand("backup", "physical backup (pg_basebackup, tar, gzip, WAL streamed) of the project's cluster (or -u URL)");
  sub->add_option("-o,--output", options->output, "backup directory (default $LOCAL_DIR/focus/postgresql-backup)");
  sub->footer(R"EX(Examples:
  database backup                  # -> focus/postgresql-backup/{base,pg_wal}.tar.gz
  database restore                 # back to that state)EX");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_backup(globals, *options); };
  });
}

} // namespace hectic::tools::database
