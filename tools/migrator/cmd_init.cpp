// `migrator init [--dry-run]`: apply the hectic bundle (or print it).
#include <iostream>

#include "common/bundle.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::migrator {

int run_init(const Globals& globals, const InitOptions& options) {
  if (options.dry_run) {
    std::cout << bundle::full_sql();
    return 0;
  }
  migrate::init(globals.to_options("init"));
  return 0;
}

} // namespace hectic::migrator
