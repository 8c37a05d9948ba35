// `migrator status [--json]` (alias fetch): applied, pending and drifted migrations.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "common/base/output.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct StatusOptions {
  bool json = false;
  bool exit_code = false; // --exit-code: 1 when something is pending or drifted (a CI gate)
};

// Something to do or to look at: a pending migration, or an applied one whose file changed or
// is gone.
bool out_of_step(const migrate::Status& status) {
  if (!status.pending.empty()) return true;
  for (const auto& entry : status.applied)
    if (entry.drifted) return true;
  return false;
}

// --targets: each target's text (unless --json) prefixed with its name, then the table;
// a target that is out of step fails only with --exit-code.
int run_status_targets(const Globals& globals, const StatusOptions& options) {
  const bool json = options.json || globals.json;
  return run_targets(
      globals, "status",
      [&](const Globals& target) {
        auto status = migrate::status(target.to_options("status"));
        if (!json) output::out() << migrate::to_text(status);
        migrate::fleet::Outcome outcome;
        for (const auto& entry : status.applied) outcome.migrations.push_back(entry.name);
        outcome.detail = migrate::to_json(status);
        if (out_of_step(status)) {
          outcome.state = status.pending.empty() ? "drifted" : fmt::format("{} pending", status.pending.size());
          if (options.exit_code) {
            outcome.success = false;
            outcome.code = ExitCode::generic;
          }
        } else {
          outcome.state = "up to date";
        }
        return outcome;
      },
      json);
}

int run_status(const Globals& globals, const StatusOptions& options) {
  if (!globals.targets.empty()) return run_status_targets(globals, options);
  auto status = migrate::status(globals.to_options("status"));
  if (options.json)
    std::cout << migrate::to_json(status).dump(2) << '\n';
  else
    std::cout << migrate::to_text(status);
  return options.exit_code && out_of_step(status) ? 1 : 0;
}

} // namespace

void register_status(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<StatusOptions>();
  auto* sub = app.add_subcommand("status", "applied, pending and drifted migrations");
  sub->alias("fetch");
  sub->add_flag("--json", options->json, "machine-readable output");
  sub->add_flag("--exit-code", options->exit_code, "exit 1 when migrations are pending or drifted (CI gate)");
  sub->footer("Examples: migrator status --json | migrator status --exit-code || echo 'migrations to apply'");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_status(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
