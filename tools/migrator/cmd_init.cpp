// `migrator init [--dry-run]`: apply the hectic bundle (or print it).
#include <iostream>
#include <memory>

#include "common/migrate/bundle.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct InitOptions {
  bool dry_run = false;
};

int run_init(const Globals& globals, const InitOptions& options) {
  if (options.dry_run) {
    std::cout << bundle::full_sql();
    return 0;
  }
  if (!globals.targets.empty())
    return run_targets(globals, "init", [](const Globals& target) {
      migrate::init(target.to_options("init"));
      return migrate::fleet::Outcome{};
    });
  migrate::init(globals.to_options("init"));
  return 0;
}

} // namespace

void register_init(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<InitOptions>();
  auto* sub = app.add_subcommand("init", "apply the hectic bundle");
  sub->add_flag("--dry-run", options->dry_run, "print the bundle SQL, touch no database");
  sub->footer("Example: migrator -u \"$DB_URL\" init");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_init(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
