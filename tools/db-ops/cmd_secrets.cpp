// db-ops secrets load: the library code of `database secrets load` (common/project/deploy.hpp),
// with the shell db-ops' URL order.
#include <memory>

#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/project/deploy.hpp"
#include "tools/db-ops/commands.hpp"

namespace hectic::tools::db_ops {
namespace {

struct SecretsLoadOptions {
  std::optional<std::string> file; // -f/--file; else the dotenv source of common/project/dotenv.hpp
  bool dry_run = false;             // --dry-run: list the keys added and removed, write nothing
};

// -u, else PGURL, else DB_URL (the shell db-ops' order, unlike database's DB_URL first).
std::string resolve_url(const Globals& globals) {
  if (globals.url && !globals.url->empty()) return *globals.url;
  for (const char* name : {"PGURL", "DB_URL"})
    if (auto value = env::get(name); value && !value->empty()) return *value;
  throw Error(ExitCode::missing_argument, "no database URL: pass -u/--url, or set PGURL or DB_URL",
              {"db-ops -u URL secrets load, or export PGURL"});
}

int run_secrets_load(const Globals& globals, const SecretsLoadOptions& options) {
  auto url = resolve_url(globals);
  deploy::load_secrets(url, options.file ? std::optional<std::filesystem::path>(*options.file) : std::nullopt,
                       options.dry_run);
  return 0;
}

} // namespace

void register_secrets(CLI::App& app, Globals& globals, Action& action) {
  auto options = std::make_shared<SecretsLoadOptions>();
  auto* sub = app.add_subcommand("secrets", "manage hectic.secret");
  sub->require_subcommand(0, 1); // none: main.cpp's run says what is missing
  auto* load = sub->add_subcommand(
      "load", "apply the hectic bundle and load the dotenv source into hectic.secret: replaces the whole "
              "hectic.secret table (keys not in the source are removed)");
  load->add_option("-f,--file", options->file,
                   "dotenv file (default: HECTIC_DOTENV_CONTENT, HECTIC_DOTENV_FILE, $LOCAL_DIR/.env.$ENVIRONMENT)");
  load->add_flag("--dry-run", options->dry_run, "list the keys that would be added (+) and removed (-); write nothing");
  load->footer(R"EX(Examples:
  db-ops -u "$PROD_URL" secrets load -f .env.production --dry-run   # + KEY / - KEY, nothing written
  db-ops -u "$PROD_URL" secrets load -f .env.production
  HECTIC_DOTENV_CONTENT="$(vault read ...)" db-ops secrets load)EX");
  load->callback([&globals, &action, options] {
    action = [&globals, options] { return run_secrets_load(globals, *options); };
  });
}

} // namespace hectic::tools::db_ops
