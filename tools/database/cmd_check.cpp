// database check: the deploy flow in a throw-away cluster.
#include "common/project/deploy.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {
namespace {
bool g_no_patch = false, g_no_hydrate = false, g_mock = false;
} // namespace

void register_check(CLI::App& app, Globals& globals, Action& action) {
  auto* sub = app.add_subcommand("check", "deploy into a throw-away cluster ($LOCAL_DIR/focus/postgresql-check-tmp), then remove it");
  sub->add_flag("-P,--no-patch", g_no_patch, "do not run PATCH_SQL");
  sub->add_flag("-H,--no-hydrate", g_no_hydrate, "do not hydrate");
  sub->add_flag("-m,--mock", g_mock, "hydrate with USE_MOCK=1");
  sub->footer(R"EX(Examples:
  database check                   # does a fresh deploy work? your cluster is not touched
  database check -m -P)EX");
  sub->callback([&globals, &action] {
    action = [&globals] {
      deploy::DeployOptions options;
      options.hydrate = !g_no_hydrate;
      options.patch = !g_no_patch;
      options.mock = g_mock;
      options.inherits = globals.inherits;
      deploy::check(options);
      return 0;
    };
  });
}

} // namespace hectic::database
