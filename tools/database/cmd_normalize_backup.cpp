// database normalize-backup: a production physical backup -> a local one.
#include <memory>

#include "common/project/backup.hpp"
#include "common/base/log.hpp"
#include "common/project/layout.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct NormalizeArgs {
  std::string output, path; // empty: the default dirs of common/project/backup.hpp
  std::optional<std::string> role, database, admin_role;
  bool archive = false;
};

int run_normalize_backup(const NormalizeArgs& args) {
  backup::NormalizeOptions options;
  options.input = args.path.empty() ? layout::backup_dir() : std::filesystem::path(args.path);
  options.output = args.output.empty() ? layout::normalized_backup_dir() : std::filesystem::path(args.output);
  options.archive = args.archive;
  options.role = args.role;
  options.database = args.database;
  options.admin_role = args.admin_role;
  backup::normalize(options);
  log::Logger("db normalize-backup").info("normalized backup written to {}", options.output.string());
  return 0;
}

} // namespace

void register_normalize_backup(CLI::App& app, Globals&, Action& action) {
  auto args = std::make_shared<NormalizeArgs>();
  auto* sub = app.add_subcommand("normalize-backup", "turn a production physical backup into a local one (input untouched)");
  sub->add_option("-o,--output", args->output, "output directory (default $LOCAL_DIR/focus/postgresql-backup-normalized)");
  sub->add_option("--role", args->role, "LOGIN SUPERUSER role to ensure (default: the server's account)");
  sub->add_option("--database", args->database, "database to ensure (default: the backup's database_name, else PG_DATABASE)");
  sub->add_option("--admin-role", args->admin_role, "superuser role of the backup to connect as (default: the server's account)");
  sub->add_flag("--archive", args->archive, "PATH is one tar(.gz) file");
  sub->add_option("path", args->path, "input backup (default $LOCAL_DIR/focus/postgresql-backup)");
  sub->footer(R"EX(Examples:
  database normalize-backup ~/prod-backup --database app --admin-role rdsadmin
  database normalize-backup -o /tmp/local-backup
  database restore focus/postgresql-backup-normalized)EX");
  sub->callback([&action, args] {
    action = [args] { return run_normalize_backup(*args); };
  });
}

} // namespace hectic::tools::database
