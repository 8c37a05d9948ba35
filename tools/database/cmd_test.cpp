// database test: $DATABASE_DIR/test/test.sql (pgTAP).
#include "common/project/deploy.hpp"
#include "common/project/target.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {

void register_test(CLI::App& app, Globals& globals, Action& action) {
  auto* sub = app.add_subcommand("test", "run $DATABASE_DIR/test/test.sql (pgTAP); exit 1 when a test fails");
  sub->footer(R"EX(Examples:
  database deploy && database test
  database -u postgresql:///app?host=/tmp test)EX");
  sub->callback([&globals, &action] {
    action = [&globals] {
      return deploy::run_tests(target::resolve_url(globals.url), globals.inherits) == 0 ? 0 : 1;
    };
  });
}

} // namespace hectic::tools::database
