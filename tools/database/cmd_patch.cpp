// database patch: run PATCH_SQL, or edit it.
#include <memory>

#include "common/project/deploy.hpp"
#include "common/project/target.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct PatchOptions {
  bool edit = false; // -e/--edit: open PATCH_SQL in $EDITOR instead of running it
};

int run_patch(const Globals& globals, const PatchOptions& options) {
  if (options.edit) return deploy::edit_patch();
  deploy::patch(target::resolve_url(globals.url), globals.inherits);
  return 0;
}

} // namespace

void register_patch(CLI::App& app, Globals& globals, Action& action) {
  auto options = std::make_shared<PatchOptions>();
  auto* sub = app.add_subcommand("patch", "run PATCH_SQL (default $PROFILE_DIR/test-data.sql; created empty when missing)");
  sub->add_flag("-e,--edit", options->edit, "open PATCH_SQL in $EDITOR (default vi; needs a terminal) instead");
  sub->footer(R"EX(Examples:
  database patch                   # load test-data.sql (DB_URL, else PGURL, else the project's cluster)
  database patch --edit            # edit it
  PATCH_LOG=/tmp/patch.log database patch)EX");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_patch(globals, *options); };
  });
}

} // namespace hectic::tools::database
