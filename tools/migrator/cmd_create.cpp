// `migrator create [--name NAME] [--from-diff --to SOURCES [--allow-drop]]`: a new migration
// directory with up.sql and down.sql; with --from-diff written by the schema engine from an
// empty database + the migrations to SOURCES, and proved (README "migrator create --from-diff").
#include <iostream>
#include <memory>

#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "common/project/generate.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct CreateOptions {
  std::string name;
  bool from_diff = false;
  std::string to;
  bool allow_drop = false;
};

int run_from_diff(const Globals& globals, CreateOptions options) {
  if (options.to.empty())
    throw Error(ExitCode::missing_argument, "--from-diff needs --to SOURCES",
                {"migrator create --name NAME --from-diff --to db/src   (a .sql file, an entrypoint directory or a URL)"});
  if (options.name.empty()) options.name = migrate::random_word();
  generate::Request request{globals.migration_dir, options.name, options.allow_drop,
                            "an empty database + the migrations of " + globals.migration_dir, options.to,
                            "migrator create --from-diff"};
  auto generated = generate::from_diff(request, options.to, [](const std::vector<std::string>& changes) {
    for (const auto& line : changes) std::cerr << line << '\n';
  });
  if (generated.dir.empty()) return 0; // nothing differs: nothing written
  std::cout << generated.dir.string() << '\n';
  return 0;
}

int run_create(const Globals& globals, const CreateOptions& options) {
  if (options.from_diff) return run_from_diff(globals, options);
  if (!options.to.empty() || options.allow_drop)
    throw Error(ExitCode::missing_argument, fmt::format("{} needs --from-diff", options.to.empty() ? "--allow-drop" : "--to"),
                {"migrator create --name NAME --from-diff --to SOURCES"});
  auto dir = migrate::create(globals.migration_dir, options.name);
  log::Logger("migrator").notice("created migration {}", dir.string());
  std::cout << dir.string() << '\n';
  return 0;
}

} // namespace

void register_create(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<CreateOptions>();
  auto* sub = app.add_subcommand("create", "create a migration directory");
  sub->add_option("-n,--name", options->name, "description (default: a random word)");
  sub->add_flag("--from-diff", options->from_diff,
                "write up.sql/down.sql with the schema engine: empty database + migrations -> --to");
  sub->add_option("--to", options->to, "with --from-diff: the desired schema (.sql file, entrypoint directory, URL)");
  sub->add_flag("--allow-drop", options->allow_drop, "with --from-diff: up.sql may hold destructive statements");
  sub->footer(R"(Examples:
  migrator create --name 'add users'
  migrator create --name add-due-date --from-diff --to db/src      # written and proved by the engine
  migrator create --name drop-note --from-diff --to schema.sql --allow-drop
--from-diff exits 0 once the migration is written and proved (or when nothing differs: nothing
written), 2 when it needs destructive statements without --allow-drop (nothing written).)");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_create(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
