// database diff: backup + migrations vs sources + migrator init.
#include <fstream>

#include "common/project/dbdiff.hpp"
#include "common/base/error.hpp"
#include "common/base/pager.hpp"
#include "common/project/serverlog.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {
namespace {
std::string g_tables, g_output, g_path;
bool g_ignore_migration_fail = false, g_mock = false, g_archive = false;
} // namespace

void register_diff(CLI::App& app, Globals&, Action& action) {
  auto* sub = app.add_subcommand("diff", "compare backup + all migrations (DB1) with sources + migrator init (DB2); `diff log` shows their server logs");
  sub->add_option("--tables", g_tables, "t1,t2: compare those tables' schema and data");
  sub->add_flag("--ignore-migration-fail", g_ignore_migration_fail, "compare even when a migration fails on DB1");
  sub->add_flag("-m,--mock", g_mock, "hydrate DB2 with USE_MOCK=1");
  sub->add_flag("--archive", g_archive, "BACKUP_PATH is one tar(.gz) file");
  sub->add_option("-o,--output", g_output, "write the diff to FILE");
  sub->add_option("backup", g_path, "backup directory (default $LOCAL_DIR/focus/postgresql-backup), or `log`");
  sub->footer(R"EX(Exit 0 when schema and immutable data are equal, 1 when they differ.
Examples:
  database backup && database diff         # are migrations in step with db/src?
  database diff ~/prod-backup-normalized -o /tmp/drift.diff
  database diff --tables currency,country
  database diff log                        # server logs of the last diff)EX");
  sub->callback([&action] {
    action = [] {
      if (g_path == "log") {
        std::vector<std::filesystem::path> files;
        for (const char* side : {"db1", "db2"}) {
          auto dir = dbdiff::logs_dir() / side;
          std::error_code ec;
          if (!std::filesystem::is_directory(dir, ec)) continue;
          for (auto& f : serverlog::list(dir)) files.push_back(f);
        }
        if (files.empty())
          throw Error(ExitCode::generic, fmt::format("no logs of a previous diff in {}", dbdiff::logs_dir().string()),
                      {"run database diff first"});
        std::string text;
        for (const auto& f : files) text += fmt::format("==> {} <==\n", f.parent_path().filename().string() + "/" + f.filename().string()) + serverlog::concatenate({f});
        pager::show(text);
        return 0;
      }
      dbdiff::Options options;
      if (!g_path.empty()) options.backup = g_path;
      for (std::size_t start = 0; start < g_tables.size();) {
        auto comma = g_tables.find(',', start);
        auto name = g_tables.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!name.empty()) options.tables.push_back(name);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      options.ignore_migration_fail = g_ignore_migration_fail;
      options.mock = g_mock;
      options.archive = g_archive;
      auto report = dbdiff::run(options);
      if (!g_output.empty()) {
        std::ofstream out(g_output, std::ios::trunc);
        out << report.text;
        if (!out) fail(ExitCode::generic, "cannot write {}", g_output);
      } else {
        pager::show(report.text);
      }
      return report.equal() ? 0 : 1;
    };
  });
}

} // namespace hectic::database
