// database status: the project's cluster as it is (running or not, URL, data dir, size,
// version); starts and changes nothing.
#include <iostream>
#include <memory>

#include "common/project/target.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct StatusOptions {
  std::string format = "text"; // --format text|json
};

int run_status(const StatusOptions& options) {
  auto status = target::project_cluster_status();
  std::cout << (options.format == "json" ? target::status_json(status) + "\n" : target::status_text(status)) << std::flush;
  return 0;
}

} // namespace

void register_status(CLI::App& app, Globals&, Action& action) {
  auto options = std::make_shared<StatusOptions>();
  auto* sub = app.add_subcommand("status", "the project's cluster: running or not, URL, data dir, size, version (read-only)");
  sub->add_option("--format", options->format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  sub->footer(R"EX(Examples:
  database status                  # state, url, data dir, size, version
  database status --format json    # {"running":true,"pid":...,"url":"postgresql://...","size_bytes":...}
Exit 0 whether the cluster runs or not; nothing is started or changed.)EX");
  sub->callback([&action, options] {
    action = [options] { return run_status(*options); };
  });
}

} // namespace hectic::tools::database
