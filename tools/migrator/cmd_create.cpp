// `migrator create [--name NAME]`: a new migration directory with up.sql and down.sql.
#include <iostream>

#include "common/log.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::migrator {

int run_create(const Globals& globals, const CreateOptions& options) {
  auto dir = migrate::create(globals.migration_dir, options.name);
  log::Logger("migrator").notice("created migration {}", dir.string());
  std::cout << dir.string() << '\n';
  return 0;
}

} // namespace hectic::migrator
