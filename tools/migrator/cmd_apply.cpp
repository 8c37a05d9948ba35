// `migrator apply --plan FILE | --file SCHEMA [--auto-approve]`: the reviewed-plan flow, step 2
// (README "migrator plan", "migrator plan --file"); apply --file also with --targets.
#include <unistd.h>

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/output.hpp"
#include "common/schema/desired.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct ApplyOptions {
  std::string plan;
  bool auto_approve = false;
  SchemaFileOptions file;
};

nlohmann::json read_plan(const std::string& path) {
  try {
    return nlohmann::json::parse(fs::read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ExitCode::generic, fmt::format("plan file {} is not valid JSON: {}", path, e.what()));
  }
}

// Asks on the terminal after showing the plan; without one, --auto-approve is required.
std::function<bool(const nlohmann::json&)> confirmation(const ApplyOptions& options,
                                                        std::function<std::string(const nlohmann::json&)> show,
                                                        const char* question) {
  if (options.auto_approve) return {};
  if (isatty(STDIN_FILENO) == 0)
    throw Error(ExitCode::missing_argument, "apply needs --auto-approve when stdin is not a terminal",
                {"review the plan, then run: migrator apply --plan FILE --auto-approve"});
  return [show = std::move(show), question](const nlohmann::json& reviewed) {
    std::cerr << show(reviewed) << question << " Type 'yes': " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "yes" || answer == "y";
  };
}

schema::DesiredApply desired_apply(const Globals& globals, const ApplyOptions& options, const char* command) {
  schema::DesiredApply apply;
  apply.target = globals.url;
  if (!globals.lock_timeout.empty()) apply.apply.lock_timeout = globals.lock_timeout;
  apply.apply.lock_wait = globals.lock_wait;
  apply.apply.run_log_command = command;
  apply.confirm = confirmation(options, schema::desired_plan_text, "Apply these statements?");
  return apply;
}

// --targets: apply --file on each target, the file loaded once; a plan file is one database's.
int run_apply_targets(const Globals& globals, const ApplyOptions& options) {
  if (!options.plan.empty())
    throw Error(ExitCode::ambiguous,
                "apply --plan applies the plan of one database (bound to it by its fingerprint): not with --targets",
                {"review every target's plan: migrator --targets FILE plan --file SCHEMA",
                 "then apply the file to each: migrator --targets FILE apply --file SCHEMA --auto-approve"});
  if (!options.auto_approve)
    throw Error(ExitCode::missing_argument, "apply --file with --targets needs --auto-approve (it asks no question per database)",
                {"review every target's plan first: migrator --targets FILE plan --file SCHEMA",
                 "then: migrator --targets FILE apply --file SCHEMA --auto-approve"});
  const auto targets = selected_targets(globals);
  const auto request = options.file.request(globals);
  const auto desired = load_desired_for(globals, request, targets);
  return run_targets(globals, "apply --file", targets, [&](const Globals& target) {
    auto plan = schema::plan_desired(request.for_target(target.url), desired);
    if (!globals.json) output::out() << schema::desired_plan_text(plan);
    schema::apply_desired(plan, desired_apply(target, options, "apply --file"), desired);
    migrate::fleet::Outcome outcome;
    outcome.applied = schema::desired_plan_statements(plan);
    outcome.state = *outcome.applied == 0 ? "up to date" : "ok";
    outcome.detail = std::move(plan);
    return outcome;
  });
}

int run_apply(const Globals& globals, const ApplyOptions& options) {
  // Checked here, not by CLI11, so that an unknown argument is reported first (main.cpp).
  if (options.plan.empty() == options.file.file.empty())
    throw Error(options.plan.empty() ? ExitCode::missing_argument : ExitCode::ambiguous,
                "apply needs exactly one of --plan FILE and --file SCHEMA",
                {"migrator plan --output-json plan.json, review it, then: migrator apply --plan plan.json",
                 "or plan and apply in one step: migrator apply --file schema.sql"});
  if (!globals.targets.empty()) return run_apply_targets(globals, options);
  if (!options.file.file.empty()) {
    auto apply = desired_apply(globals, options, "apply --file");
    const auto request = options.file.request(globals);
    const auto desired = schema::load_desired(request); // once: for the plan and the final check
    auto plan = schema::plan_desired(request, desired);
    if (!apply.confirm) std::cout << schema::desired_plan_text(plan) << std::flush;
    schema::apply_desired(plan, apply, desired);
    return 0;
  }
  auto plan = read_plan(options.plan);
  if (schema::is_desired_plan(plan)) {
    schema::apply_desired(plan, desired_apply(globals, options, "apply --plan"));
    return 0;
  }
  migrate::apply(globals.to_options("apply"), plan,
                 confirmation(options, migrate::plan_to_text, "Apply these migrations?"));
  return 0;
}

} // namespace

void register_apply(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<ApplyOptions>();
  auto* sub = app.add_subcommand("apply", "apply a reviewed plan, or a schema file");
  sub->add_option("--plan", options->plan, "the JSON written by plan (migrations or --file)");
  sub->add_flag("--auto-approve", options->auto_approve, "do not ask for confirmation");
  add_schema_file_options(sub, options->file);
  sub->footer(R"(Examples:
  migrator apply --plan plan.json --auto-approve
  migrator apply --file schema.sql                 # plan, confirm on the terminal, apply
  migrator apply --file schema.sql --allow-drop --auto-approve
  migrator --targets targets.txt apply --file schema.sql --auto-approve   # every database)");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_apply(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
