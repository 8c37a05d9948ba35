// `migrator mark-applied NAME`: record a migration as applied without running it.
#include "tools/migrator/commands.hpp"

namespace hectic::migrator {

int run_mark_applied(const Globals& globals, const MarkAppliedOptions& options) {
  migrate::mark_applied(globals.to_options("mark-applied"), options.name);
  return 0;
}

} // namespace hectic::migrator
