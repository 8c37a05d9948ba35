// `migrator diff --from A --to B`: the ALTER script that makes A equal to B (README "migrator diff").
#include <iostream>
#include <memory>

#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"
#include "common/schema/compare.hpp"
#include "common/schema/rename.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct DiffCommand {
  schema::CompareRequest request;
  std::string output;
  std::string output_json;
  std::vector<std::string> renames;
  bool no_privileges = false;
};

void write_private(const std::string& path, const std::string& content) {
  fs::WriteOptions options; // plans hold schema details: private, whatever the umask
  options.mode = 0600;
  fs::write_file_atomic(path, content, options);
}

int run_diff(const Globals& globals, DiffCommand command) {
  auto& request = command.request;
  request.filter.privileges = !command.no_privileges;
  for (const auto& hint : command.renames) request.diff.renames.push_back(schema::parse_rename(hint));
  request.diff.stamp = text::utc_compact_stamp();
  if (!globals.lock_timeout.empty()) request.apply_options.lock_timeout = globals.lock_timeout;
  request.apply_options.lock_wait = globals.lock_wait;
  auto result = schema::compare(request);
  auto script = schema::render_script(result.statements, result.sides);
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
Exit: 0 no differences (or applied), 1 differences, 2 --apply refused (destructive without --allow-drop).)";

} // namespace

void register_diff(CLI::App& app, const Globals& globals, Action& action) {
  auto command = std::make_shared<DiffCommand>();
  auto* sub = app.add_subcommand("diff", "the ALTER script that makes --from equal to --to");
  sub->add_option("--from", command->request.from, "the database to change (or a file source)")->required();
  sub->add_option("--to", command->request.to, "the desired state")->required();
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
  sub->add_option("--schema", command->request.filter.schemas, "compare only this schema (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--exclude-schema", command->request.filter.exclude_schemas, "leave this schema out (repeatable)")
      ->allow_extra_args(false);
  sub->add_flag("--no-privileges", command->no_privileges, "do not compare grants");
  sub->add_flag("--hook", command->request.hook, "load the hectic bundle into file sources first");
  sub->footer(k_footer);
  sub->callback([&globals, &action, command] {
    action = [&globals, command] { return run_diff(globals, *command); };
  });
}

} // namespace hectic::tools::migrator
