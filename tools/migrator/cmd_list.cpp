// `migrator list [--raw]`: migration names in order; notes for incomplete ones.
#include <iostream>

#include "tools/migrator/commands.hpp"

namespace hectic::migrator {

int run_list(const Globals& globals, const ListOptions& options) {
  for (const auto& migration : migrate::load_directory(globals.migration_dir)) {
    std::cout << migration.name;
    if (!options.raw) {
      auto note = migrate::missing_note(migration);
      if (!note.empty()) std::cout << ": " << note;
    }
    std::cout << '\n';
  }
  return 0;
}

} // namespace hectic::migrator
