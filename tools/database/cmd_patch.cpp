// database patch: run PATCH_SQL, or edit it.
#include "common/project/deploy.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {
namespace {
bool g_edit = false;
} // namespace

void register_patch(CLI::App& app, Globals& globals, Action& action) {
  auto* sub = app.add_subcommand("patch", "run PATCH_SQL (default $PROFILE_DIR/test-data.sql; created empty when missing)");
  sub->add_flag("-e,--edit", g_edit, "open PATCH_SQL in $EDITOR (default vi) instead");
  sub->footer(R"EX(Examples:
  database patch                   # load test-data.sql into DB_URL
  database patch --edit            # edit it
  PATCH_LOG=/tmp/patch.log database patch)EX");
  sub->callback([&globals, &action] {
    action = [&globals] {
      if (g_edit) return deploy::edit_patch();
      deploy::patch(deploy::resolve_url(globals.url), globals.inherits);
      return 0;
    };
  });
}

} // namespace hectic::database
