// `migrator apply --plan FILE [--auto-approve]`: the reviewed-plan flow, step 2.
#include <unistd.h>

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

struct ApplyOptions {
  std::string plan;
  bool auto_approve = false;
};

int run_apply(const Globals& globals, const ApplyOptions& options) {
  // Checked here, not by CLI11, so that an unknown argument is reported first (main.cpp).
  if (options.plan.empty())
    throw Error(ExitCode::missing_argument, "apply needs --plan FILE",
                {"migrator plan --output-json plan.json, review it, then: migrator apply --plan plan.json"});
  nlohmann::json plan;
  try {
    plan = nlohmann::json::parse(fs::read_file(options.plan));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ExitCode::generic, fmt::format("plan file {} is not valid JSON: {}", options.plan, e.what()));
  }
  std::function<bool(const nlohmann::json&)> confirm;
  if (!options.auto_approve) {
    if (isatty(STDIN_FILENO) == 0)
      throw Error(ExitCode::missing_argument,
                  "apply needs --auto-approve when stdin is not a terminal",
                  {"review the plan, then run: migrator apply --plan FILE --auto-approve"});
    confirm = [](const nlohmann::json& reviewed) {
      std::cerr << migrate::plan_to_text(reviewed) << "Apply these migrations? Type 'yes': "
                << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      return answer == "yes" || answer == "y";
    };
  }
  migrate::apply(globals.to_options("apply"), plan, confirm);
  return 0;
}

} // namespace

void register_apply(CLI::App& app, const Globals& globals, Action& action) {
  auto options = std::make_shared<ApplyOptions>();
  auto* sub = app.add_subcommand("apply", "apply a reviewed plan");
  sub->add_option("--plan", options->plan, "the JSON written by plan (required)");
  sub->add_flag("--auto-approve", options->auto_approve, "do not ask for confirmation");
  sub->footer("Example: migrator apply --plan plan.json --auto-approve");
  sub->callback([&globals, &action, options] {
    action = [&globals, options] { return run_apply(globals, *options); };
  });
}

} // namespace hectic::tools::migrator
