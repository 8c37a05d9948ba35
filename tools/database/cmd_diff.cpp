// database diff: backup + migrations vs sources + migrator init.
#include <fstream>
#include <iostream>
#include <memory>

#include "common/project/dbdiff.hpp"
#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "common/base/pager.hpp"
#include "common/base/text.hpp"
#include "common/project/serverlog.hpp"
#include "common/project/layout.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct DiffArgs {
  std::string tables, output, path; // path: BACKUP_PATH
  std::string log_selector;          // `diff log SELECTOR`
  std::string generate;              // --generate NAME
  bool ignore_migration_fail = false, mock = false, archive = false, sql = false, allow_drop = false;
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

// --sql and --generate read every schema with the engine; --generate runs the migrations again.
void check_combinations(const DiffArgs& args) {
  if (!args.tables.empty() && (args.sql || !args.generate.empty()))
    throw Error(ExitCode::ambiguous, fmt::format("{} compares every schema and cannot be combined with --tables",
                                                 args.sql ? "--sql" : "--generate"));
  if (!args.generate.empty() && args.ignore_migration_fail)
    throw Error(ExitCode::ambiguous, "--generate cannot be combined with --ignore-migration-fail",
                {"a migration that fails on DB1 would fail again when the generated one is proved; fix it first"});
  if (args.allow_drop && args.generate.empty())
    throw Error(ExitCode::ambiguous, "--allow-drop needs --generate NAME");
  if (args.generate.find('/') != std::string::npos || (!args.generate.empty() && text::trim(args.generate).empty()))
    throw Error(ExitCode::generic, fmt::format("--generate: invalid migration name '{}'", args.generate),
                {"a name may hold spaces but no '/'"});
}

// The engine's lines on stderr, after the dump diff (stdout stays the dump diff as it was).
void show_engine(const dbdiff::Report& report) {
  if (!report.engine_note.empty()) {
    log::Logger("database diff").warn("the schema engine could not compare DB1 and DB2: {}", report.engine_note);
    return;
  }
  if (!report.changes.empty()) {
    std::cerr << fmt::format("-- the schema engine, DB1 (backup + migrations) -> DB2 (sources): {} change{}\n",
                             report.changes.size(), report.changes.size() == 1 ? "" : "s");
    for (const auto& line : report.changes) std::cerr << line << '\n';
  } else if (!report.schema_equal) {
    std::cerr << "-- the schema engine sees no difference: the dumps differ in what it does not compare\n";
  }
}

int run_diff(const DiffArgs& args) {
  check_combinations(args);
  dbdiff::Options options;
  if (!args.path.empty()) options.backup = args.path;
  options.tables = table_list(args.tables);
  options.ignore_migration_fail = args.ignore_migration_fail;
  options.mock = args.mock;
  options.archive = args.archive;
  options.sql = args.sql;
  if (!args.generate.empty()) options.generate = args.generate;
  options.allow_drop = args.allow_drop;
  auto report = dbdiff::run(options);
  if (!args.output.empty()) {
    std::ofstream out(args.output, std::ios::trunc);
    out << report.text;
    if (!out) fail(ExitCode::generic, "cannot write {}", args.output);
  }
  if (args.sql) pager::show(report.sql);
  else if (args.output.empty()) pager::show(report.text);
  show_engine(report);
  if (report.failure) std::rethrow_exception(report.failure);
  if (!report.generated.empty()) return report.data_equal ? 0 : 1; // the schema part is proved
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
  sub->add_flag("--sql", args->sql, "print the schema engine's script DB1 -> DB2 instead of the dump diff");
  sub->add_option("--generate", args->generate,
                  "write MIGRATION_DIR/<UTC stamp>-NAME/{up,down}.sql from the drift, then prove it");
  sub->add_flag("--allow-drop", args->allow_drop, "let --generate write destructive statements");
  sub->add_option("backup", args->path, "backup directory (default $LOCAL_DIR/focus/postgresql-backup)");
  auto* log = sub->add_subcommand("log", "server logs of the last diff's clusters, as `database log` shows them");
  log->add_option("selector", args->log_selector, "list | INDEX | NAME | unique part of a name (default: all)");
  log->footer(R"EX(Examples:
  database diff log list           # numbered files of db1/ and db2/
  database diff log 2              # the second one)EX");
  sub->footer(R"EX(Exit 0 when schema and immutable data are equal, 1 when they differ; with --generate 0 once
the migration is written and proved, 2 when it needs --allow-drop (nothing written).
stdout: the dump diff (or with --sql the script); stderr: one line per change in the schema
engine's words ("table public.invoice: column total numeric(10,2) -> numeric(12,2)").
Examples:
  database backup && database diff         # are migrations in step with db/src?
  database diff ~/prod-backup-normalized -o /tmp/drift.diff
  database diff --tables currency,country
  database diff --sql > drift.sql          # the ALTER script DB1 -> DB2
  database diff --generate add-due-date    # write the migration, prove it, diff is then equal
  database diff --generate drop-note --allow-drop
  database diff log                        # server logs of the last diff)EX");
  sub->require_subcommand(0, 1);
  sub->callback([&action, args, log] {
    action = [args, log] { return log->parsed() ? show_diff_logs(args->log_selector) : run_diff(*args); };
  });
}

} // namespace hectic::tools::database
