// `migrator --targets FILE [--jobs N] [--fail-fast] [--shard I/N] [--json] COMMAND`: the
// glue between the subcommands and migrate::fleet (the targets file, the threads, the table).
#include <iostream>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {

bool takes_targets(const std::string& subcommand) {
  return subcommand == "init" || subcommand == "migrate" || subcommand == "status" || subcommand == "plan" ||
         subcommand == "apply";
}

// --jobs N: 1 to 256 (default 4); else exit 9 naming the value.
std::size_t jobs_of(const Globals& globals) {
  if (globals.jobs.empty()) return 4;
  const auto& text = globals.jobs;
  if (text.size() > 3 || text.find_first_not_of("0123456789") != std::string::npos || std::stoul(text) < 1 ||
      std::stoul(text) > 256)
    throw Error(ExitCode::unknown_argument, fmt::format("--jobs: expected a number from 1 to 256, got '{}'", text),
                {"migrator --targets targets.txt --jobs 8 migrate up all"});
  return std::stoul(text);
}

std::vector<migrate::fleet::Target> selected_targets(const Globals& globals) {
  namespace fleet = migrate::fleet;
  auto targets = fleet::load_targets(globals.targets);
  if (!globals.shard.empty()) targets = fleet::select_shard(targets, fleet::parse_shard(globals.shard));
  return targets;
}

int run_targets(const Globals& globals, const std::string& command, const TargetAction& action, bool json) {
  return run_targets(globals, command, selected_targets(globals), action, json);
}

int run_targets(const Globals& globals, const std::string& command, const std::vector<migrate::fleet::Target>& targets,
                const TargetAction& action, bool json) {
  namespace fleet = migrate::fleet;
  fleet::RunOptions options;
  options.jobs = jobs_of(globals);
  options.fail_fast = globals.fail_fast;
  options.quiet_stdout = json || globals.json;
  auto results = fleet::run(targets, options, [&](const fleet::Target& target) {
    Globals one = globals;
    one.url = target.url;
    return action(one);
  });
  if (json || globals.json)
    std::cout << fleet::to_json(results, command).dump(2) << '\n';
  else
    std::cout << fleet::to_table(results);
  std::cout.flush();
  return fleet::exit_code(results);
}

} // namespace hectic::tools::migrator
