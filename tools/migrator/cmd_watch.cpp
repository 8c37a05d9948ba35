// `migrator watch`: apply the newest schema version from a store, once or continuously
// (README "migrator watch").
#include <memory>

#include <fmt/format.h>

#include "common/base/duration.hpp"
#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/interrupt.hpp"
#include "common/pg/conninfo.hpp"
#include "common/watch/store.hpp"
#include "common/watch/watcher.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct WatchCommand {
  std::string store;
  std::string path_prefix;
  bool path_prefix_given = false;
  std::string interval = "1m";
  std::string hook_timeout = "1m";
  bool once = false;
  watch::WatchOptions options;
};

// -u/DB_URL, else a conninfo from DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME (the password
// stays inside the conninfo, which is never printed: logs describe the connection instead).
std::string database(const Globals& globals) {
  if (!globals.url.empty()) return globals.url;
  std::map<std::string, std::string> keywords;
  const std::pair<const char*, const char*> names[] = {
      {"DB_HOST", "host"}, {"DB_PORT", "port"}, {"DB_USER", "user"}, {"DB_PASSWORD", "password"}, {"DB_NAME", "dbname"}};
  for (auto [variable, keyword] : names)
    if (auto value = env::get(variable); value && !value->empty()) keywords[keyword] = *value;
  if (!keywords.contains("host") && !keywords.contains("dbname"))
    throw Error(ExitCode::missing_argument, "no database: DB_URL (or -u) is not set, nor DB_HOST/DB_NAME",
                {"migrator watch -u \"$DB_URL\" ..., or export DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME"});
  return pq::build_conninfo(keywords);
}

std::unique_ptr<watch::Store> open(const WatchCommand& command, std::string& prefix) {
  if (!command.store.empty()) return watch::open_store(command.store, prefix);
  if (auto bucket = env::get("S3_BUCKET"); bucket && !bucket->empty())
    return std::make_unique<watch::S3Store>(watch::s3_config_from_env(*bucket));
  throw Error(ExitCode::missing_argument, "no store: --store is not given and S3_BUCKET is not set",
              {"migrator watch --store s3://BUCKET/PREFIX, --store DIR, or export S3_BUCKET and use --path-prefix"});
}

std::chrono::milliseconds positive(const std::string& text, const char* option) {
  auto value = duration::parse_go(text, option);
  if (value.count() <= 0)
    throw Error(ExitCode::unknown_argument, fmt::format("{}: must be more than 0, got '{}'", option, text));
  return value;
}

int run_watch(const Globals& globals, WatchCommand command) {
  auto& options = command.options;
  options.interval = positive(command.interval, "--interval");
  options.hook_timeout = positive(command.hook_timeout, "--hook-timeout");
  options.url = database(globals);
  options.lock_wait = globals.lock_wait;
  if (!globals.lock_timeout.empty()) options.lock_timeout = globals.lock_timeout;
  std::string prefix;
  auto store = open(command, prefix);
  options.prefix = command.path_prefix_given ? command.path_prefix : prefix;
  watch::Watcher watcher(*store, options);
  if (command.once) return watcher.run_once();
  // A service is stopped with SIGTERM: after the running apply is cancelled (rolled back, no
  // marker), or between polls, that is a clean exit.
  interrupt::set_exit_status(0);
  watcher.run_forever();
}

constexpr const char* k_footer = R"(Layout: <prefix>/<version>/<schema-file>; the lexicographically highest version is applied
(declaratively, as `migrator diff --apply`) unless <prefix>/<version>/<completed-file> exists,
then that marker is written (UTC time, database, fingerprint).
Stores: a directory, or s3://BUCKET[/PREFIX] (else S3_BUCKET) with AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_DEFAULT_REGION [us-east-1], AWS_ENDPOINT_URL.
Database: -u/DB_URL, else DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME.
Hooks run with /bin/sh -c and HECTIC_WATCH_VERSION, HECTIC_WATCH_STORE, HECTIC_WATCH_ERROR.
Examples:
  migrator watch --store s3://schemas/app --interval 30s --on-apply-failed 'notify "$HECTIC_WATCH_ERROR"'
  migrator watch --store /srv/schemas --once          # cron, CI
Exit: --once 0 applied or nothing to do, 1 failed; without --once SIGTERM/SIGINT exit 0.)";

} // namespace

void register_watch(CLI::App& app, const Globals& globals, Action& action) {
  auto command = std::make_shared<WatchCommand>();
  auto* sub = app.add_subcommand("watch", "apply the newest schema version from a store (S3 or a directory)");
  sub->add_option("--store", command->store, "DIR or s3://BUCKET[/PREFIX] (else S3_BUCKET)");
  sub->add_option("--path-prefix", command->path_prefix, "the versions' prefix inside the store")
      ->each([command](const std::string&) { command->path_prefix_given = true; });
  sub->add_option("--schema-file", command->options.schema_file, "file name of a version's schema")
      ->capture_default_str();
  sub->add_option("--completed-file", command->options.completed_file, "file name of a version's marker")
      ->capture_default_str();
  sub->add_option("--interval", command->interval, "between polls: 30s, 1m, 1h30m")->capture_default_str();
  sub->add_flag("--once", command->once, "one poll, then exit (cron, CI)");
  sub->add_flag("--allow-drop", command->options.allow_drop, "let destructive statements run");
  sub->add_option("--on-start", command->options.hooks.on_start, "shell command when the watcher starts");
  sub->add_option("--on-fetch-error", command->options.hooks.on_fetch_error,
                  "shell command after 3 consecutive failed fetches");
  sub->add_option("--on-apply-failed", command->options.hooks.on_apply_failed, "shell command when an apply fails");
  sub->add_option("--on-apply-succeeded", command->options.hooks.on_apply_succeeded,
                  "shell command when a version was applied");
  sub->add_option("--hook-timeout", command->hook_timeout, "a hook is killed after this long")->capture_default_str();
  sub->footer(k_footer);
  sub->callback([&globals, &action, command] {
    action = [&globals, command] { return run_watch(globals, *command); };
  });
}

} // namespace hectic::tools::migrator
