// database hydrate: bundle, secrets, entrypoint.
#include "common/project/deploy.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {
namespace {
bool g_no_hook = false, g_mock = false;
} // namespace

void register_hydrate(CLI::App& app, Globals& globals, Action& action) {
  auto* sub = app.add_subcommand("hydrate", "apply the hectic bundle, load secrets, run $DATABASE_SOURCE/$HYDRATE_ENTRYPOINT");
  sub->add_flag("-H,--no-hook", g_no_hook, "do not apply the hectic bundle");
  sub->add_flag("-m,--mock", g_mock, "set the script variable USE_MOCK=1");
  sub->footer(R"EX(Examples:
  database hydrate                 # into DB_URL (or PGURL)
  database hydrate --mock          # \if :{?USE_MOCK} branches run
  HECTIC_DOTENV_FILE=.env.dev database hydrate
  HYDRATE_LOG=/tmp/hydrate.log database -u postgresql:///app hydrate --no-hook)EX");
  sub->callback([&globals, &action] {
    action = [&globals] {
      deploy::hydrate(deploy::resolve_url(globals.url),
                      deploy::HydrateOptions{!g_no_hook, g_mock, globals.inherits, std::nullopt});
      return 0;
    };
  });
}

} // namespace hectic::database
