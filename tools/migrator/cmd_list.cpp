// `migrator list [--raw]`: migration names in order; notes for incomplete ones.
#include <iostream>
#include <memory>

#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct ListOptions {
  bool raw = false;
};

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

} // namespace

void register_list(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<ListOptions>();
  auto* sub = app.add_subcommand("list", "list the migrations in order");
  sub->add_flag("--raw", options->raw, "names only");
  sub->footer("Example: migrator list --raw");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_list(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
