// SIGINT/SIGTERM to `database check` at every stage (before the start, during the start, during
// the work, during the stop): exit 130, no server of the check cluster running, its directory
// gone; or (the signal came too late) a normal exit 0, with the same result.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;
namespace stdfs = std::filesystem;

TEST_CASE("database check interrupted at each stage: no server running and no directory left") {
  Sandbox sb;
  stdfs::copy(source_dir() / "examples" / "project", sb.path(),
              stdfs::copy_options::recursive | stdfs::copy_options::overwrite_existing);
  auto url = sb.start_cluster();
  auto check_dir = sb.path() / "focus" / "postgresql-check-tmp";
  for (const char* how : {"--foreground", "--kill-after=60"}) { // only database, or its group
    for (const char* signal : {"INT", "TERM"}) {
      for (const char* delay : {"0.02", "0.1", "0.3", "0.6", "1", "1.5", "2.5"}) {
        INFO(how << " SIG" << signal << " after " << delay << " s");
        auto run = sb.run_program(hectic::process::find_program("timeout"),
                                  {how, "--preserve-status", "-s", signal, delay, tool("database").string(), "check"});
        INFO(run.err);
        // 128 + the signal: it came before the handler was installed, when nothing exists yet.
        int killed = 128 + (std::string(signal) == "INT" ? SIGINT : SIGTERM);
        CHECK((run.code == 130 || run.code == 0 || run.code == killed));
        for (int i = 0; i < 100 && !processes_under(check_dir).empty(); ++i) ::usleep(50000);
        CHECK(processes_under(check_dir).empty());
        CHECK_FALSE(stdfs::exists(check_dir));
      }
    }
  }
  CHECK(sb.psql(url, "SELECT 1") == "1");
}
