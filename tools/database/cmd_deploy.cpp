// database deploy: postgres-init, hydrate, patch.
#include "common/project/deploy.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {
namespace {
struct DeployArgs {
  bool reuse = false, no_patch = false, no_hydrate = false, mock = false, cleanup = false;
} g_args;
} // namespace

void register_deploy(CLI::App& app, Globals& globals, Action& action) {
  auto* sub = app.add_subcommand("deploy", "fresh cluster (postgres-init), hydrate from sources, then patch");
  sub->add_flag("--reuse", g_args.reuse, "keep the existing data (implies --no-hydrate --no-patch)");
  sub->add_flag("-P,--no-patch", g_args.no_patch, "do not run PATCH_SQL");
  sub->add_flag("-H,--no-hydrate", g_args.no_hydrate, "do not hydrate");
  sub->add_flag("-m,--mock", g_args.mock, "hydrate with USE_MOCK=1");
  sub->add_flag("-c,--cleanup", g_args.cleanup, "stop the cluster after success");
  sub->footer(R"EX(Examples:
  database deploy                  # fresh cluster + db/src/entrypoint.sql + test-data.sql
  database deploy --reuse          # restart, keep the data
  database deploy -m -P            # mock branch of the entrypoint, no test data
  database deploy --cleanup        # CI: deploy and stop the server afterwards)EX");
  sub->callback([&globals, &action] {
    action = [&globals] {
      deploy::DeployOptions options;
      options.url = globals.url;
      options.reuse = g_args.reuse;
      options.hydrate = !g_args.no_hydrate;
      options.patch = !g_args.no_patch;
      options.mock = g_args.mock;
      options.cleanup = g_args.cleanup;
      options.inherits = globals.inherits;
      deploy::deploy(options);
      return 0;
    };
  });
}

} // namespace hectic::database
