// database diff: backup + migrations vs sources + migrator init.
#include <fstream>
#include <memory>

#include "common/project/dbdiff.hpp"
#include "common/base/error.hpp"
#include "common/base/pager.hpp"
#include "common/project/serverlog.hpp"
#include "common/project/layout.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct DiffArgs {
  std::string tables, output, path; // path: BACKUP_PATH
  std::string log_selector;          // `diff log SELECTOR`
  bool ignore_migration_fail = false, mock = false, archive = false;
};

// `database diff log [list|INDEX|NAME]`: the server logs of both clusters of the last diff.
int show_diff_logs(const std::string& selector) {
  std::vector<std::filesystem::path> files;
  for (const char* side : {"db1", "db2"}) {
    auto dir = layout::diff_logs_dir() / side;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    for (auto& f : serverlog::list(dir)) files.push_back(f);
  }
  if (files.empty())
    throw Error(ExitCode::generic, fmt::format("no logs of a previous diff in {}", layout::diff_logs_dir().string()),
                {"run database diff first"});
  if (!selector.empty()) return show_server_logs(files, selector);
  // All of them: each headed by its side (db1/ or db2/), piped or not.
  std::string text;
  for (const auto& f : files)
    text += fmt::format("==> {}/{} <==\n", f.parent_path().filename().string(), f.filename().string()) +
            serverlog::concatenate({f});
  pager::show(text);
  return 0;
}

// "t1,t2" -> {t1, t2}; empty names are skipped.
std::vector<std::string> table_list(const std::string& tables) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start < tables.size();) {
    auto comma = tables.find(',', start);
    auto name = tables.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!name.empty()) out.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int run_diff(const DiffArgs& args) {
  dbdiff::Options options;
  if (!args.path.empty()) options.backup = args.path;
  options.tables = table_list(args.tables);
  options.ignore_migration_fail = args.ignore_migration_fail;
  options.mock = args.mock;
  options.archive = args.archive;
  auto report = dbdiff::run(options);
  if (!args.output.empty()) {
    std::ofstream out(args.output, std::ios::trunc);
    out << report.text;
    if (!out) fail(ExitCode::generic, "cannot write {}", args.output);
  } else {
    pager::show(report.text);
  }
  return report.equal() ? 0 : 1;
}

} // namespace

void register_diff(CLI::App& app, Globals&, Action& action) {
  auto args = std::make_shared<DiffArgs>();
  auto* sub = app.add_subcommand("diff", "compare backup + all migrations (DB1) with sources + migrator init (DB2); `diff log` shows their server logs");
  sub->add_option("--tables", args->tables, "t1,t2: compare those tables' schema and data");
  sub->add_flag("--ignore-migration-fail", args->ignore_migration_fail, "compare even when a migration fails on DB1");
  sub->add_flag("-m,--mock", args->mock, "hydrate DB2 with USE_MOCK=1");
  sub->add_flag("--archive", args->archive, "BACKUP_PATH is one tar(.gz) file");
  sub->add_option("-o,--output", args->output, "write the diff to FILE");
  sub->add_option("backup", args->path, "backup directory (default $LOCAL_DIR/focus/postgresql-backup)");
  auto* log = sub->add_subcommand("log", "server logs of the last diff's clusters, as `database log` shows them");
  log->add_option("selector", args->log_selector, "list | INDEX | NAME | unique part of a name (default: all)");
  log->footer(R"EX(Examples:
  database diff log list           # numbered files of db1/ and db2/
  database diff log 2              # the second one)EX");
  sub->footer(R"EX(Exit 0 when schema and immutable data are equal, 1 when they differ.
Examples:
  database backup && database diff         # are migrations in step with db/src?
  database diff ~/prod-backup-normalized -o /tmp/drift.diff
  database diff --tables currency,country
  database diff log                        # server logs of the last diff)EX");
  sub->require_subcommand(0, 1);
  sub->callback([&action, args, log] {
    action = [args, log] { return log->parsed() ? show_diff_logs(args->log_selector) : run_diff(*args); };
  });
}

} // namespace hectic::tools::database
