// Go-style durations (migrator watch --interval).
#include <catch2/catch.hpp>

#include "common/base/duration.hpp"
#include "common/base/error.hpp"

using namespace hectic;
using std::chrono::milliseconds;

TEST_CASE("Go durations parse like time.ParseDuration") {
  CHECK(duration::parse_go("30s", "--interval") == milliseconds(30'000));
  CHECK(duration::parse_go("1m", "--interval") == milliseconds(60'000));
  CHECK(duration::parse_go("1h30m", "--interval") == milliseconds(5'400'000));
  CHECK(duration::parse_go("500ms", "--interval") == milliseconds(500));
  CHECK(duration::parse_go("1.5h", "--interval") == milliseconds(5'400'000));
  CHECK(duration::parse_go("2m30.5s", "--interval") == milliseconds(150'500));
  CHECK(duration::parse_go("1500us", "--interval") == milliseconds(2));
  CHECK(duration::parse_go("0", "--interval") == milliseconds(0));
  CHECK(duration::parse_go("+10s", "--interval") == milliseconds(10'000));
}

TEST_CASE("a bad duration names the option and the value") {
  for (const char* bad : {"", "10", "1x", "m", "-1s", "1.2.3s", "1h 30m", "1min", "s10"}) {
    INFO(bad);
    try {
      duration::parse_go(bad, "--interval");
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::unknown_argument);
      CHECK(std::string(e.what()).find(fmt::format("--interval: expected a duration such as 30s, 1m, 1h30m or 500ms, got '{}'", bad)) == 0);
    }
  }
}

TEST_CASE("durations print back in Go's style") {
  CHECK(duration::format(milliseconds(0)) == "0s");
  CHECK(duration::format(milliseconds(500)) == "500ms");
  CHECK(duration::format(milliseconds(30'000)) == "30s");
  CHECK(duration::format(milliseconds(5'400'000)) == "1h30m");
  CHECK(duration::format(milliseconds(61'500)) == "1m1.500s");
}
