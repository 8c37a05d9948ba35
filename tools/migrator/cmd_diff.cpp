// `migrator diff --from A --to B`: the ALTER script that makes A equal to B (README "migrator diff").
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"
#include "common/schema/compare.hpp"
#include "common/project/sync_env.hpp"
#include "common/schema/rename.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct DiffCommand {
  schema::CompareRequest request;
  std::string output;
  std::string output_json;
  std::vector<std::string> renames;
  FilterOptions filter;
  std::string env_file;      // sync mode: SOURCE_DB_* / TARGET_DB_* (README "sync two databases")
  std::string source_schema; // compare this schema of --to ...
  std::string target_schema; // ... with this one of --from
  bool dry_run = false;
  bool no_rename_before_drop = false;
};

// The sides: --from/--to, or in sync mode the dotenv file's; and the schema mapping.
schema::Layout resolve_sides(DiffCommand& command) {
  auto& request = command.request;
  if (!command.env_file.empty()) {
    if (!request.from.empty() || !request.to.empty())
      throw Error(ExitCode::ambiguous, "--env takes the sides from the file: drop --from/--to, or drop --env");
    auto sides = project::read_sync_env(command.env_file);
    request.from = sides.target.conninfo;
    request.to = sides.source.conninfo;
    if (command.source_schema.empty()) command.source_schema = sides.source.schema;
    if (command.target_schema.empty()) command.target_schema = sides.target.schema;
    // The `ddp sync` strategy: what the source no longer has is renamed aside, not dropped.
    request.diff.rename_before_drop = !command.no_rename_before_drop;
  } else if (request.from.empty() || request.to.empty()) {
    throw Error(ExitCode::missing_argument, fmt::format("diff needs {}", request.from.empty() ? "--from" : "--to"),
                {"migrator diff --from \"$DB_URL\" --to schema.sql", "or, to sync two databases: migrator diff --env sync.env"});
  }
  if (!command.source_schema.empty() || !command.target_schema.empty()) {
    request.to_schema = command.source_schema.empty() ? command.target_schema : command.source_schema;
    request.from_schema = command.target_schema.empty() ? command.source_schema : command.target_schema;
  }
  return command.env_file.empty() ? schema::Layout::kinds : schema::Layout::sync;
}

void write_private(const std::string& path, const std::string& content) {
  fs::WriteOptions options; // plans hold schema details: private, whatever the umask
  options.mode = 0600;
  fs::write_file_atomic(path, content, options);
}

int run_diff(const Globals& globals, DiffCommand command) {
  auto& request = command.request;
  if (command.dry_run && request.apply) throw Error(ExitCode::ambiguous, "--dry-run and --apply contradict each other");
  auto layout = resolve_sides(command);
  request.filter = command.filter.resolved();
  for (const auto& hint : command.renames) request.diff.renames.push_back(schema::parse_rename(hint));
  request.diff.stamp = text::utc_compact_stamp();
  if (!globals.lock_timeout.empty()) request.apply_options.lock_timeout = globals.lock_timeout;
  request.apply_options.lock_wait = globals.lock_wait;
  auto result = schema::compare(request);
  auto script = schema::render_script(result.statements, result.sides, layout);
  if (command.output.empty()) std::cout << script;
  else write_private(command.output, script);
  if (!command.output_json.empty())
    write_private(command.output_json, schema::render_json(result.statements, result.sides).dump(2) + "\n");
  const log::Logger logger("migrator diff");
  logger.info("{}{}", schema::summary(result.statements), result.applied ? " (applied)" : "");
  if (result.applied) return 0;
  return result.statements.empty() ? 0 : 1;
}

constexpr const char* k_footer = R"(Sources: a postgres:// URL (or conninfo); a .sql file or a directory with entrypoint.sql
(run by our engine into a throw-away cluster); a migration directory (migrate up all there).
Examples:
  migrator diff --from "$DB_URL" --to schema.sql                 # what would make the database match the file
  migrator diff --from "$STAGING_URL" --to "$DEV_URL" --output sync.sql
  migrator diff --from "$DB_URL" --to sql/ --apply --allow-drop --lock-timeout 5s
  migrator diff --from "$DB_URL" --to migration/ --online --rename-before-drop --output-json diff.json
  migrator diff --from "$DB_URL" --to schema.sql --rename table:public.users=people --rename column:public.people.mail=email
  migrator diff --env sync.env                                   # sync: TARGET_DB_* made like SOURCE_DB_*
  migrator diff --env sync.env --source-schema app --target-schema app_copy --apply
Exit: 0 no differences (or applied), 1 differences, 2 --apply refused (destructive without --allow-drop).)";

} // namespace

schema::Filter FilterOptions::resolved() const {
  auto resolved = filter;
  resolved.privileges = !no_privileges;
  return resolved;
}

void add_filter_options(CLI::App* sub, FilterOptions& options) {
  sub->add_option("--schema", options.filter.schemas, "compare only this schema (repeatable)")->allow_extra_args(false);
  sub->add_option("--exclude-schema", options.filter.exclude_schemas, "leave this schema out (repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("--no-privileges", options.no_privileges, "do not compare grants");
  sub->add_flag("--owner", options.filter.owner, "compare ownership too (off by default: roles differ between environments)");
}

void register_diff(CLI::App& app, const Globals& globals, Action& action) {
  auto command = std::make_shared<DiffCommand>();
  auto* sub = app.add_subcommand("diff", "the ALTER script that makes --from equal to --to");
  sub->add_option("--from", command->request.from, "the database to change (or a file source)");
  sub->add_option("--to", command->request.to, "the desired state");
  sub->add_option("--env", command->env_file,
                  "sync mode: the sides from a dotenv file (SOURCE_DB_* = --to, TARGET_DB_* = --from: HOST, PORT, "
                  "NAME, USER, PASSWORD, SCHEMA); renames aside instead of dropping");
  sub->add_option("--source-schema", command->source_schema, "compare this schema of --to ...");
  sub->add_option("--target-schema", command->target_schema, "... with this schema of --from (names mapped)");
  sub->add_flag("--dry-run", command->dry_run, "print the script, never apply (the default without --apply)");
  sub->add_flag("--no-rename-before-drop", command->no_rename_before_drop, "with --env: drop instead of renaming aside");
  sub->add_option("--output", command->output, "write the script to FILE (0600) instead of stdout");
  sub->add_option("--output-json", command->output_json, "write the statements, hazards and fingerprints as JSON");
  sub->add_flag("--apply", command->request.apply, "run the script against --from, then check nothing is left");
  sub->add_flag("--allow-drop", command->request.apply_options.allow_drop, "let --apply run destructive statements");
  sub->add_flag("--rename-before-drop", command->request.diff.rename_before_drop,
                "rename tables, columns, routines aside (<name>_dropped_<UTC stamp>) instead of dropping");
  sub->add_option("--rename", command->renames,
                  "KIND:OLD=NEW, a rename instead of drop + create (table, column, index, constraint, type, "
                  "enum-value; repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("--online", command->request.diff.online, "CONCURRENTLY indexes, NOT VALID + VALIDATE constraints");
  add_filter_options(sub, command->filter);
  sub->add_flag("--hook", command->request.hook, "load the hectic bundle into file sources first");
  sub->footer(k_footer);
  sub->callback([&globals, &action, command] {
    action = [&globals, command] { return run_diff(globals, *command); };
  });
}

} // namespace hectic::tools::migrator
