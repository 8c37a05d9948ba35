// database log: server logs of the project's cluster.
#include <iostream>

#include "common/base/env.hpp"
#include "common/base/log.hpp"
#include "common/base/pager.hpp"
#include "common/project/serverlog.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {
namespace {
std::string g_selector;
} // namespace

void register_log(CLI::App& app, Globals&, Action& action) {
  auto* sub = app.add_subcommand("log", "show server logs ($PG_WORKING_DIR/data/log)");
  sub->add_option("selector", g_selector, "list | INDEX | NAME | unique part of a name (default: all)");
  sub->footer(R"EX(Examples:
  database log list                # numbered files
  database log 2                   # the second file
  database log 11-29_14            # the file whose name contains 11-29_14 (29 Nov, 14h)
  database log | grep ERROR        # all files, plain when piped)EX");
  sub->callback([&action] {
    action = [] {
      auto files = serverlog::list(env::pg_working_dir() / "data" / "log");
      if (files.empty()) {
        log::Logger("db log").warn("no log files in {}", (env::pg_working_dir() / "data" / "log").string());
        return 0;
      }
      if (g_selector == "list") {
        std::cout << serverlog::format_list(files) << std::flush;
        return 0;
      }
      if (!g_selector.empty()) files = {serverlog::select(files, g_selector)};
      pager::show(serverlog::concatenate(files));
      return 0;
    };
  });
}

} // namespace hectic::database
