// SIGINT/SIGTERM to postgres-init at every stage (before, during and right after the start):
// exit 130 and no server left running, or (the signal came too late) a normal exit 0.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

namespace {

// Waits (bounded) until nothing runs under dir any more; true when nothing does.
bool nothing_runs_under(const std::filesystem::path& dir) {
  for (int i = 0; i < 200 && !processes_under(dir).empty(); ++i) ::usleep(50000);
  return processes_under(dir).empty();
}

} // namespace

TEST_CASE("postgres-init interrupted at each stage: exit 130 and no server running") {
  Sandbox sb;
  int round = 0;
  for (const char* how : {"--foreground", "--kill-after=60"}) {    // only postgres-init, or its group
    for (const char* delay : {"0.02", "0.2", "0.5", "1", "2"}) {
      INFO(how << " SIGINT after " << delay << " s");
      // A new cache each round, so initdb makes the start long. Never one emptied: the last
      // round's spare filler may still be writing to it.
      auto cache = (sb.path() / ("cache-" + std::to_string(++round))).string();
      auto run = sb.run_program(hectic::process::find_program("timeout"),
                                {how, "--preserve-status", "-s", "INT", delay, tool("postgres-init").string()},
                                {{"HECTIC_CACHE_DIR", cache}});
      INFO(run.err);
      // 128 + SIGINT is the signal before the handler was installed, when nothing exists yet.
      CHECK((run.code == 130 || run.code == 0 || run.code == 128 + SIGINT));
      if (run.code == 130) CHECK(nothing_runs_under(sb.working_dir()));
      sb.run("postgres-cleanup", {});
      CHECK(nothing_runs_under(sb.working_dir()));
    }
  }
}
