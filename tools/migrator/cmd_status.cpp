// `migrator status [--json]` (alias fetch): applied, pending and drifted migrations.
#include <iostream>
#include <memory>

#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct StatusOptions {
  bool json = false;
};

int run_status(const Globals& globals, const StatusOptions& options) {
  auto status = migrate::status(globals.to_options("status"));
  if (options.json)
    std::cout << migrate::to_json(status).dump(2) << '\n';
  else
    std::cout << migrate::to_text(status);
  return 0;
}

} // namespace

void register_status(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<StatusOptions>();
  auto* sub = app.add_subcommand("status", "applied, pending and drifted migrations");
  sub->alias("fetch");
  sub->add_flag("--json", options->json, "machine-readable output");
  sub->footer("Example: migrator status --json");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_status(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
