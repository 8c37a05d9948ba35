// database normalize-backup: a production physical backup -> a local one.
#include "common/project/backup.hpp"
#include "common/base/log.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {
namespace {
std::string g_output, g_path;
std::optional<std::string> g_role, g_database, g_admin_role;
bool g_archive = false;
} // namespace

void register_normalize_backup(CLI::App& app, Globals&, Action& action) {
  auto* sub = app.add_subcommand("normalize-backup", "turn a production physical backup into a local one (input untouched)");
  sub->add_option("-o,--output", g_output, "output directory (default $LOCAL_DIR/focus/postgresql-backup-normalized)");
  sub->add_option("--role", g_role, "LOGIN SUPERUSER role to ensure (default: the server's account)");
  sub->add_option("--database", g_database, "database to ensure (default: the backup's database_name, else PG_DATABASE)");
  sub->add_option("--admin-role", g_admin_role, "superuser role of the backup to connect as (default: the server's account)");
  sub->add_flag("--archive", g_archive, "PATH is one tar(.gz) file");
  sub->add_option("path", g_path, "input backup (default $LOCAL_DIR/focus/postgresql-backup)");
  sub->footer(R"EX(Examples:
  database normalize-backup ~/prod-backup --database app --admin-role rdsadmin
  database normalize-backup -o /tmp/local-backup
  database restore focus/postgresql-backup-normalized)EX");
  sub->callback([&action] {
    action = [] {
      backup::NormalizeOptions options;
      options.input = g_path.empty() ? backup::default_dir() : std::filesystem::path(g_path);
      options.output = g_output.empty() ? backup::default_normalized_dir() : std::filesystem::path(g_output);
      options.archive = g_archive;
      options.role = g_role;
      options.database = g_database;
      options.admin_role = g_admin_role;
      backup::normalize(options);
      log::Logger("db backup").info("normalized backup written to {}", options.output.string());
      return 0;
    };
  });
}

} // namespace hectic::database
