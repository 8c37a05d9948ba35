// database check: the deploy flow in a throw-away cluster.
#include <memory>

#include "common/project/deploy.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct CheckOptions {
  bool no_patch = false, no_hydrate = false, mock = false;
};

int run_check(const Globals& globals, const CheckOptions& args) {
  deploy::DeployOptions options;
  options.hydrate = !args.no_hydrate;
  options.patch = !args.no_patch;
  options.mock = args.mock;
  options.inherits = globals.inherits;
  deploy::check(options);
  return 0;
}

} // namespace

void register_check(CLI::App& app, Globals& globals, Action& action) {
  auto options = std::make_shared<CheckOptions>();
  auto* sub = app.add_subcommand("check", "deploy into a throw-away cluster ($LOCAL_DIR/focus/postgresql-check-tmp), then remove it");
  sub->add_flag("-P,--no-patch", options->no_patch, "do not run PATCH_SQL");
  sub->add_flag("-H,--no-hydrate", options->no_hydrate, "do not hydrate");
  sub->add_flag("-m,--mock", options->mock, "hydrate with USE_MOCK=1");
  sub->footer(R"EX(Examples:
  database check                   # does a fresh deploy work? your cluster is not touched
  database check -m -P)EX");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_check(globals, *options); };
  });
}

} // namespace hectic::tools::database
