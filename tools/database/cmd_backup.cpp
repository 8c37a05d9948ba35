// database backup: pg_basebackup of the running cluster.
#include "common/project/backup.hpp"
#include "common/project/deploy.hpp"
#include "common/base/log.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {
namespace {
std::string g_output;
} // namespace

void register_backup(CLI::App& app, Globals& globals, Action& action) {
  auto* sub = app.add_subcommand("backup", "physical backup (pg_basebackup, tar, gzip, WAL streamed) of the running cluster");
  sub->add_option("-o,--output", g_output, "backup directory (default $LOCAL_DIR/focus/postgresql-backup)");
  sub->footer(R"EX(Examples:
  database backup                  # -> focus/postgresql-backup/{base,pg_wal}.tar.gz
  database restore                 # back to that state)EX");
  sub->callback([&globals, &action] {
    action = [&globals] {
      auto dir = g_output.empty() ? backup::default_dir() : std::filesystem::path(g_output);
      backup::create(deploy::resolve_url(globals.url), dir);
      log::Logger("db backup").info("backup written to {}", dir.string());
      return 0;
    };
  });
}

} // namespace hectic::database
