// `migrator plan`: the reviewed-plan flow, step 1 — pending migrations (README "migrator plan"),
// or with --file the diff from the database to a desired-state schema file.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/output.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"
#include "common/schema/desired.hpp"
#include "common/schema/source.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

// A plan holds the SQL that will run in production: a new plan file is private.
const fs::WriteOptions k_private{.mode = std::nullopt, .new_file_mode = 0600, .owner = std::nullopt, .follow_symlink = true};

struct PlanOptions {
  std::string output_json;
  std::string output_human;
  std::string output_sql;
  SchemaFileOptions file;
};

// "up to date", or "3 statements, 1 hazard": a desired-state plan in the table.
std::string desired_plan_state(const nlohmann::json& plan) {
  const auto statements = schema::desired_plan_statements(plan);
  if (statements == 0) return "up to date";
  const auto hazards = plan.value("hazards", nlohmann::json::array()).size();
  auto state = fmt::format("{} statement{}", statements, statements == 1 ? "" : "s");
  if (hazards > 0) state += fmt::format(", {} hazard{}", hazards, hazards == 1 ? "" : "s");
  return state;
}

// --targets with --file: the file is loaded once, then each target is planned against it.
int run_plan_file_targets(const Globals& globals, const PlanOptions& options) {
  const auto targets = selected_targets(globals);
  const auto request = options.file.request(globals);
  const auto desired = load_desired_for(globals, request, targets);
  return run_targets(globals, "plan --file", targets, [&](const Globals& target) {
    auto plan = schema::plan_desired(request.for_target(target.url), desired);
    if (!globals.json) output::out() << schema::desired_plan_text(plan);
    migrate::fleet::Outcome outcome;
    outcome.state = desired_plan_state(plan);
    outcome.detail = std::move(plan);
    return outcome;
  });
}

// --targets: each target's plan text prefixed with its name (--json: the plans in the summary).
int run_plan_targets(const Globals& globals, const PlanOptions& options) {
  if (!options.output_json.empty() || !options.output_human.empty() || !options.output_sql.empty())
    throw Error(ExitCode::ambiguous, "plan --output-json/--output-human/--output-sql write one plan: not with --targets",
                {"with --targets, --json prints every target's plan in the summary: migrator --targets FILE plan --json"});
  if (!options.file.file.empty()) return run_plan_file_targets(globals, options);
  return run_targets(globals, "plan", [&](const Globals& target) {
    auto plan = migrate::plan(target.to_options("plan"));
    if (!globals.json) output::out() << migrate::plan_to_text(plan);
    migrate::fleet::Outcome outcome;
    const auto pending = plan["pending"].size();
    outcome.state = pending == 0 ? std::string("up to date") : fmt::format("{} pending", pending);
    outcome.detail = std::move(plan);
    return outcome;
  });
}

void write_outputs(const PlanOptions& options, const std::string& json, const std::string& human,
                   const std::string& sql) {
  const log::Logger logger("migrator");
  const std::pair<const std::string*, const std::string*> outputs[] = {
      {&options.output_json, &json}, {&options.output_human, &human}, {&options.output_sql, &sql}};
  for (const auto& [path, content] : outputs) {
    if (path->empty()) continue;
    fs::write_file_atomic(*path, *content, k_private);
    logger.info("plan written to {}", *path);
  }
}

int run_plan(const Globals& globals, const PlanOptions& options) {
  if (!globals.targets.empty()) return run_plan_targets(globals, options);
  if (!options.file.file.empty()) {
    auto plan = schema::plan_desired(options.file.request(globals));
    auto human = schema::desired_plan_text(plan);
    std::cout << human;
    write_outputs(options, plan.dump(2) + "\n", human, schema::desired_plan_sql(plan));
    return 0;
  }
  if (!options.output_sql.empty())
    throw Error(ExitCode::missing_argument, "--output-sql needs --file (a migrations plan runs the migration files)");
  auto plan = migrate::plan(globals.to_options("plan"));
  auto human = migrate::plan_to_text(plan);
  std::cout << human;
  write_outputs(options, plan.dump(2) + "\n", human, "");
  return 0;
}

} // namespace

schema::DesiredRequest SchemaFileOptions::request(const Globals& globals) const {
  schema::DesiredRequest request;
  request.target = globals.url;
  request.file = file;
  request.filter = filter.resolved();
  request.diff.rename_before_drop = rename_before_drop;
  request.diff.online = online;
  request.diff.stamp = text::utc_compact_stamp();
  request.hook = hook;
  request.allow_drop = allow_drop;
  return request;
}

schema::DesiredState load_desired_for(const Globals& globals, const schema::DesiredRequest& request,
                                      const std::vector<migrate::fleet::Target>& targets) {
  std::vector<std::string> urls;
  for (const auto& target : targets) urls.push_back(target.url);
  return schema::load_desired(request, schema::user_roles(urls, jobs_of(globals)));
}

void add_schema_file_options(CLI::App* sub, SchemaFileOptions& options) {
  sub->add_option("--file", options.file, "desired state: a .sql file or a directory with entrypoint.sql");
  sub->add_flag("--allow-drop", options.allow_drop, "with --file: destructive statements may be applied");
  sub->add_flag("--rename-before-drop", options.rename_before_drop,
                "with --file: rename tables, columns, routines aside instead of dropping them");
  sub->add_flag("--online", options.online, "with --file: CONCURRENTLY indexes, NOT VALID + VALIDATE constraints");
  sub->add_flag("--hook", options.hook, "with --file: load the hectic bundle into the file's database first");
  add_filter_options(sub, options.filter);
}

void register_plan(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<PlanOptions>();
  auto* sub = app.add_subcommand("plan", "write a reviewable plan");
  sub->add_option("--output-json", options->output_json, "write the plan as JSON (what apply --plan reads)");
  sub->add_option("--output-human", options->output_human, "write the plan as text");
  sub->add_option("--output-sql", options->output_sql, "with --file: write the planned script");
  add_schema_file_options(sub, options->file);
  sub->footer(R"(Examples:
  migrator plan --output-json plan.json --output-human plan.txt          # pending migrations
  migrator plan --file schema.sql --output-json plan.json --output-sql plan.sql
  migrator plan --file sql/ --allow-drop --output-json plan.json         # directory with entrypoint.sql
  migrator --targets targets.txt plan --file schema.sql                  # every database, one table)");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_plan(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
