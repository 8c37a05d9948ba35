// database init: postgres-init only; prints the same export lines.
#include <iostream>
#include <memory>

#include "common/project/deploy.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct InitOptions {
  bool reuse = false;
  std::string format = "shell"; // --format shell|json, as postgres-init
};

int run_init(const Globals& globals, const InitOptions& options) {
  auto endpoint = deploy::init(options.reuse);
  if (!globals.inherits.empty()) {
    pq::Connection connection(globals.url ? *globals.url : endpoint.url, "database init");
    deploy::check_inherits(connection, globals.inherits);
  }
  std::cout << (options.format == "json" ? endpoint.json() + "\n" : endpoint.shell_exports()) << std::flush;
  return 0;
}

} // namespace

void register_init(CLI::App& app, Globals& globals, Action& action) {
  auto options = std::make_shared<InitOptions>();
  auto* sub = app.add_subcommand("init", "start the project's cluster (postgres-init); prints export lines");
  sub->add_flag("--reuse", options->reuse, "keep the existing data (like PG_REUSE=1)");
  sub->add_option("--format", options->format, "output format: shell (export lines) or json")
      ->check(CLI::IsMember({"shell", "json"}));
  sub->footer(R"EX(Examples:
  eval "$(database init)"          # fresh cluster, exports PGURL and POSTGRESQL_*
  database init --reuse
  database init --reuse --format json   # {"PGURL":"postgresql://...","POSTGRESQL_HOST":...})EX");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_init(globals, *options); };
  });
}

} // namespace hectic::tools::database
