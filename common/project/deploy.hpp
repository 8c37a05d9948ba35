#pragma once
// The `database` flows that build and fill a development database (README "database"): init,
// hydrate, patch, test, deploy, check, cleanup, secrets load, migrator pass-through.
// Nothing here parses argv or picks an exit code: errors are thrown (error.hpp).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/cluster/cluster.hpp"
#include "common/pg/pq.hpp"

namespace hectic::deploy {

// Every table must exist in the database (to_regclass); else Error(no_such_table) naming it.
void check_inherits(pq::Connection& connection, const std::vector<std::string>& tables);

struct HydrateOptions {
  bool hook = true;  // apply the bundle first (--no-hook turns it off)
  bool mock = false; // USE_MOCK=1 for the entrypoint
  std::vector<std::string> inherits;
  std::optional<std::filesystem::path> log_file; // overrides HYDRATE_LOG (diff keeps stdout for the diff)
};

// Bundle (unless !hook), secrets from the dotenv source when one exists, then
// $DATABASE_SOURCE/$HYDRATE_ENTRYPOINT. Output to HYDRATE_LOG when set.
void hydrate(const std::string& url, const HydrateOptions& options);

// PATCH_SQL, created empty (with its directory) when missing.
std::filesystem::path ensure_patch_file();
// Runs PATCH_SQL. Output to PATCH_LOG when set.
void patch(const std::string& url, const std::vector<std::string>& inherits = {});
// Opens PATCH_SQL in $EDITOR (default vi, run through /bin/sh as git does); returns the
// editor's exit status. Without a terminal on stdin and stdout: Error(generic), no editor.
int edit_patch();

// Runs $DATABASE_DIR/test/test.sql (pgTAP); its output goes to stdout. Returns 0 when the TAP
// holds no failure (a `# TODO` one is not), no bail-out and as many tests as planned, else 1.
// Throws Error(generic) naming the path when it is missing.
int run_tests(const std::string& url, const std::vector<std::string>& inherits = {});

// `secrets load`: bundle + dotenv source into hectic.secret, which then holds exactly those
// keys (the others are removed). dry_run: prints "+ KEY" / "- KEY" for the keys it would add /
// remove and writes nothing. Throws Error(missing_argument) when there is no dotenv source or
// an explicit file is unreadable. Returns the pairs loaded (or that would be).
int load_secrets(const std::string& url, const std::optional<std::filesystem::path>& file, bool dry_run = false);

// postgres-init in-process (PG_REUSE or reuse keeps the data).
cluster::Endpoint init(bool reuse);

struct DeployOptions {
  std::optional<std::string> url; // -u: the database to fill (default: the started cluster's)
  bool reuse = false;
  bool hydrate = true;
  bool patch = true;
  bool mock = false;
  bool cleanup = false;
  std::vector<std::string> inherits;
};

// init, then (unless reuse) hydrate and patch; stops the cluster after success with cleanup.
cluster::Endpoint deploy(const DeployOptions& options);

// The deploy flow in a throw-away cluster under layout::check_working_dir(), removed afterwards
// (success, failure, SIGINT/SIGTERM).
void check(const DeployOptions& options);

// Stops the cluster of PG_WORKING_DIR and removes the directory.
void cleanup();

// Runs layout::migrator_program() with args, MIGRATION_DIR and DB_URL of this context, output inherited;
// returns its exit status.
int run_migrator(const std::optional<std::string>& url, const std::vector<std::string>& args);

} // namespace hectic::deploy
