// database deploy: postgres-init, hydrate, patch.
#include <iostream>
#include <memory>

#include "common/project/deploy.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct DeployArgs {
  bool reuse = false, no_patch = false, no_hydrate = false, mock = false, cleanup = false;
  std::string format; // --format shell|json: print the cluster's variables (default: nothing)
};

int run_deploy(const Globals& globals, const DeployArgs& args) {
  deploy::DeployOptions options;
  options.url = globals.url;
  options.reuse = args.reuse;
  options.hydrate = !args.no_hydrate;
  options.patch = !args.no_patch;
  options.mock = args.mock;
  options.cleanup = args.cleanup;
  options.inherits = globals.inherits;
  auto endpoint = deploy::deploy(options);
  if (args.format == "json") std::cout << endpoint.json() << '\n' << std::flush;
  if (args.format == "shell") std::cout << endpoint.shell_exports() << std::flush;
  return 0;
}

} // namespace

void register_deploy(CLI::App& app, Globals& globals, Action& action) {
  auto args = std::make_shared<DeployArgs>();
  auto* sub = app.add_subcommand("deploy", "fresh cluster (postgres-init), hydrate from sources, then patch");
  sub->add_flag("--reuse", args->reuse, "keep the existing data (implies --no-hydrate --no-patch)");
  sub->add_flag("-P,--no-patch", args->no_patch, "do not run PATCH_SQL");
  sub->add_flag("-H,--no-hydrate", args->no_hydrate, "do not hydrate");
  sub->add_flag("-m,--mock", args->mock, "hydrate with USE_MOCK=1");
  sub->add_flag("-c,--cleanup", args->cleanup, "stop the cluster after success");
  sub->add_option("--format", args->format, "print the cluster's variables: shell (export lines) or json")
      ->check(CLI::IsMember({"shell", "json"}));
  sub->footer(R"EX(Examples:
  database deploy                  # fresh cluster + db/src/entrypoint.sql + test-data.sql
  database deploy --reuse          # restart, keep the data
  database deploy -m -P            # mock branch of the entrypoint, no test data
  database deploy --cleanup        # CI: deploy and stop the server afterwards
  database deploy --format json    # then one JSON object: PGURL, POSTGRESQL_HOST, ...)EX");
  sub->callback([&globals, &action, args] {
    action = [&globals, args] { return run_deploy(globals, *args); };
  });
}

} // namespace hectic::tools::database
