// database hydrate: bundle, secrets, entrypoint.
#include <memory>

#include "common/project/deploy.hpp"
#include "common/project/target.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct HydrateArgs {
  bool no_hook = false, mock = false;
};

int run_hydrate(const Globals& globals, const HydrateArgs& args) {
  deploy::hydrate(target::resolve_url(globals.url),
                  deploy::HydrateOptions{!args.no_hook, args.mock, globals.inherits, std::nullopt});
  return 0;
}

} // namespace

void register_hydrate(CLI::App& app, Globals& globals, Action& action) {
  auto args = std::make_shared<HydrateArgs>();
  auto* sub = app.add_subcommand("hydrate", "apply the hectic bundle, load secrets, run $DATABASE_SOURCE/$HYDRATE_ENTRYPOINT");
  sub->add_flag("-H,--no-hook", args->no_hook, "do not apply the hectic bundle");
  sub->add_flag("-m,--mock", args->mock, "set the script variable USE_MOCK=1");
  sub->footer(R"EX(Examples:
  database hydrate                 # into DB_URL, else PGURL, else the project's cluster
  database hydrate --mock          # \if :{?USE_MOCK} branches run
  HECTIC_DOTENV_FILE=.env.dev database hydrate
  HYDRATE_LOG=/tmp/hydrate.log database -u postgresql:///app hydrate --no-hook)EX");
  sub->callback([&globals, &action, args] {
    action = [&globals, args] { return run_hydrate(globals, *args); };
  });
}

} // namespace hectic::tools::database
