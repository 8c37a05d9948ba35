// database init: postgres-init only; prints the same export lines.
#include <iostream>

#include "common/project/deploy.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {
namespace {
bool g_reuse = false;
} // namespace

void register_init(CLI::App& app, Globals& globals, Action& action) {
  auto* sub = app.add_subcommand("init", "start the project's cluster (postgres-init); prints export lines");
  sub->add_flag("--reuse", g_reuse, "keep the existing data (like PG_REUSE=1)");
  sub->footer(R"EX(Examples:
  eval "$(database init)"          # fresh cluster, exports PGURL and POSTGRESQL_*
  database init --reuse)EX");
  sub->callback([&globals, &action] {
    action = [&globals] {
      auto endpoint = deploy::init(g_reuse);
      if (!globals.inherits.empty()) {
        pq::Connection connection(globals.url ? *globals.url : endpoint.url, "database init");
        deploy::check_inherits(connection, globals.inherits);
      }
      std::cout << endpoint.shell_exports() << std::flush;
      return 0;
    };
  });
}

} // namespace hectic::database
