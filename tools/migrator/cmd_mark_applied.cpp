// `migrator mark-applied NAME`: record a migration as applied without running it.
#include <memory>

#include "common/base/error.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct MarkAppliedOptions {
  std::string name;
};

int run_mark_applied(const Globals& globals, const MarkAppliedOptions& options) {
  // Checked here, not by CLI11, so that an unknown argument is reported first (main.cpp).
  if (options.name.empty())
    throw Error(ExitCode::missing_argument, "mark-applied needs the NAME of a migration",
                {"migrator list   # the migration names"});
  migrate::mark_applied(globals.to_options("mark-applied"), options.name);
  return 0;
}

} // namespace

void register_mark_applied(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<MarkAppliedOptions>();
  auto* sub = app.add_subcommand("mark-applied", "record a migration without running it");
  sub->add_option("NAME", options->name, "the migration (required)");
  sub->footer("Example: migrator mark-applied 20260101120000-add-users");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_mark_applied(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
