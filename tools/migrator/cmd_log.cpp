// `migrator log [-n N] [--json]`: the latest migrate/apply runs from the run log.
#include <iostream>
#include <memory>

#include "common/base/cli.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct LogOptions {
  int limit = 20;
  bool json = false;
};

int run_log(const Globals& globals, const LogOptions& options) {
  auto runs = migrate::run_log(globals.to_options("log"), options.limit);
  if (options.json)
    std::cout << runs.dump(2) << '\n';
  else
    std::cout << migrate::run_log_to_text(runs);
  return 0;
}

} // namespace

void register_log(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<LogOptions>();
  auto* sub = app.add_subcommand("log", "the latest migrate/apply runs");
  sub->add_option("-n,--limit", options->limit, "how many runs (default 20)")->check(cli::positive_count());
  sub->add_flag("--json", options->json, "machine-readable output");
  sub->footer("Example: migrator log -n 5");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_log(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
