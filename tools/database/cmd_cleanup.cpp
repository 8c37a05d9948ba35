// database cleanup: stop the cluster and remove PG_WORKING_DIR.
#include "common/project/deploy.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {

void register_cleanup(CLI::App& app, Globals&, Action& action) {
  auto* sub = app.add_subcommand("cleanup", "stop the cluster and remove PG_WORKING_DIR");
  sub->footer(R"EX(Examples:
  database cleanup                 # removes $LOCAL_DIR/focus/postgresql)EX");
  sub->callback([&action] {
    action = [] {
      deploy::cleanup();
      return 0;
    };
  });
}

} // namespace hectic::tools::database
