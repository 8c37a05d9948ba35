// `migrator create [--name NAME]`: a new migration directory with up.sql and down.sql.
#include <iostream>
#include <memory>

#include "common/base/log.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct CreateOptions {
  std::string name;
};

int run_create(const Globals& globals, const CreateOptions& options) {
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
  sub->footer("Example: migrator create --name 'add users'");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_create(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
