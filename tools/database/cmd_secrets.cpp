// database secrets load: bundle + dotenv source into hectic.secret.
#include <memory>

#include "common/project/deploy.hpp"
#include "common/project/target.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct SecretsLoadOptions {
  std::optional<std::string> file; // -f/--file; else the dotenv source of common/project/dotenv.hpp
  bool dry_run = false;             // --dry-run: list the keys added and removed, write nothing
};

int run_secrets_load(const Globals& globals, const SecretsLoadOptions& options) {
  auto url = target::resolve_url(globals.url);
  if (!globals.inherits.empty()) {
    pq::Connection connection(url, "database secrets");
    deploy::check_inherits(connection, globals.inherits);
  }
  deploy::load_secrets(url, options.file ? std::optional<std::filesystem::path>(*options.file) : std::nullopt,
                       options.dry_run);
  return 0;
}

} // namespace

void register_secrets(CLI::App& app, Globals& globals, Action& action) {
  auto options = std::make_shared<SecretsLoadOptions>();
  auto* sub = app.add_subcommand("secrets", "manage hectic.secret");
  sub->require_subcommand(0, 1); // alone: its help on stderr, exit 1, like `database` alone
  sub->footer(R"EX(Examples:
  database secrets load                              # the dotenv source into the project's cluster
  database -u "$PROD_URL" secrets load -f .env.production)EX");
  auto* load = sub->add_subcommand(
      "load", "apply the bundle and load the dotenv source into hectic.secret: replaces the whole hectic.secret "
              "table (keys not in the source are removed); touches no cluster");
  load->add_option("-f,--file", options->file, "dotenv file (default: HECTIC_DOTENV_CONTENT, HECTIC_DOTENV_FILE, $LOCAL_DIR/.env.$ENVIRONMENT)");
  load->add_flag("--dry-run", options->dry_run, "list the keys that would be added (+) and removed (-); write nothing");
  load->footer(R"EX(Examples:
  database -u "$PROD_URL" secrets load -f .env.production --dry-run   # + KEY / - KEY, nothing written
  database -u "$PROD_URL" secrets load -f .env.production
  ENVIRONMENT=staging database secrets load        # $LOCAL_DIR/.env.staging
  HECTIC_DOTENV_CONTENT="$(vault read ...)" database secrets load)EX");
  load->callback([&globals, &action, options] {
    action = [&globals, options] { return run_secrets_load(globals, *options); };
  });
}

} // namespace hectic::tools::database
