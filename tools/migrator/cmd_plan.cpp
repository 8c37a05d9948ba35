// `migrator plan [--output-json FILE] [--output-human FILE]`: the reviewed-plan flow, step 1.
#include <iostream>
#include <memory>

#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

// A plan holds the SQL that will run in production: a new plan file is private.
const fs::WriteOptions k_private{.mode = std::nullopt, .new_file_mode = 0600, .owner = std::nullopt, .follow_symlink = true};

struct PlanOptions {
  std::string output_json;
  std::string output_human;
};

int run_plan(const Globals& globals, const PlanOptions& options) {
  auto plan = migrate::plan(globals.to_options("plan"));
  auto human = migrate::plan_to_text(plan);
  std::cout << human;
  const log::Logger logger("migrator");
  if (!options.output_json.empty()) {
    fs::write_file_atomic(options.output_json, plan.dump(2) + "\n", k_private);
    logger.info("plan written to {}", options.output_json);
  }
  if (!options.output_human.empty()) {
    fs::write_file_atomic(options.output_human, human, k_private);
    logger.info("plan summary written to {}", options.output_human);
  }
  return 0;
}

} // namespace

void register_plan(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<PlanOptions>();
  auto* sub = app.add_subcommand("plan", "write a reviewable plan");
  sub->add_option("--output-json", options->output_json, "write the plan as JSON");
  sub->add_option("--output-human", options->output_human, "write the plan as text");
  sub->footer("Example: migrator plan --output-json plan.json --output-human plan.txt");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_plan(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
