// database log: server logs of the project's cluster.
#include <iostream>
#include <memory>

#include "common/base/env.hpp"
#include "common/base/log.hpp"
#include "common/base/pager.hpp"
#include "common/project/serverlog.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

struct LogOptions {
  std::string selector; // list | INDEX | NAME | part of a name; empty: all
};

int run_log(const LogOptions& options) {
  auto dir = env::pg_working_dir() / "data" / "log";
  auto files = serverlog::list(dir);
  if (files.empty()) {
    log::Logger("db log").warn("no log files in {}", dir.string());
    return 0;
  }
  return show_server_logs(files, options.selector);
}

} // namespace

int show_server_logs(std::vector<std::filesystem::path> files, const std::string& selector) {
  if (selector == "list") {
    std::cout << serverlog::format_list(files) << std::flush;
    return 0;
  }
  if (!selector.empty()) files = {serverlog::select(files, selector)};
  // Piped, the output is the shell tool's `cat` of the files (SPEC: plain concatenation).
  if (!pager::stdout_is_terminal())
    serverlog::write_back_to_back(files, std::cout);
  else
    pager::show(serverlog::concatenate(files));
  return 0;
}

void register_log(CLI::App& app, Globals&, Action& action) {
  auto options = std::make_shared<LogOptions>();
  auto* sub = app.add_subcommand("log", "show server logs ($PG_WORKING_DIR/data/log)");
  sub->add_option("selector", options->selector, "list | INDEX | NAME | unique part of a name (default: all)");
  sub->footer(R"EX(Examples:
  database log list                # numbered files
  database log 2                   # the second file
  database log 11-29_14            # the file whose name contains 11-29_14 (29 Nov, 14h)
  database log | grep ERROR        # all files, plain when piped)EX");
  sub->callback([&action, options] {
    action = [options] { return run_log(*options); };
  });
}

} // namespace hectic::tools::database
