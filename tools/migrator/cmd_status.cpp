// `migrator status [--json]` (alias fetch): applied, pending and drifted migrations.
#include <iostream>

#include "tools/migrator/commands.hpp"

namespace hectic::migrator {

int run_status(const Globals& globals, const StatusOptions& options) {
  auto status = migrate::status(globals.to_options("status"));
  if (options.json)
    std::cout << migrate::to_json(status).dump(2) << '\n';
  else
    std::cout << migrate::to_text(status);
  return 0;
}

} // namespace hectic::migrator
