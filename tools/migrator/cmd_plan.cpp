// `migrator plan [--output-json FILE] [--output-human FILE]`: the reviewed-plan flow, step 1.
#include <iostream>

#include "common/fs.hpp"
#include "common/log.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::migrator {

int run_plan(const Globals& globals, const PlanOptions& options) {
  auto plan = migrate::plan(globals.to_options("plan"));
  auto human = migrate::plan_to_text(plan);
  std::cout << human;
  const log::Logger logger("migrator");
  if (!options.output_json.empty()) {
    fs::write_file_atomic(options.output_json, plan.dump(2) + "\n");
    logger.info("plan written to {}", options.output_json);
  }
  if (!options.output_human.empty()) {
    fs::write_file_atomic(options.output_human, human);
    logger.info("plan summary written to {}", options.output_human);
  }
  return 0;
}

} // namespace hectic::migrator
