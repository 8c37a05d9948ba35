// `migrator log [-n N] [--json]`: the latest migrate/apply runs from the run log.
#include <iostream>

#include "tools/migrator/commands.hpp"

namespace hectic::migrator {

int run_log(const Globals& globals, const LogOptions& options) {
  auto runs = migrate::run_log(globals.to_options("log"), options.limit);
  if (options.json)
    std::cout << runs.dump(2) << '\n';
  else
    std::cout << migrate::run_log_to_text(runs);
  return 0;
}

} // namespace hectic::migrator
