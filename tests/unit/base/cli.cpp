// cli::run_main: every parse outcome and thrown error maps to its exit code (README "Exit codes"), in process.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/base/cli.hpp"
#include "common/base/error.hpp"

using namespace hectic;

namespace {

// A small app like the binaries': one option, a subcommand with a required option, another
// with an integer option; run() parses words and runs body when the parse lets it.
struct SmallApp {
  CLI::App app{"cli-test", "cli-test"};
  std::string name;
  int count = 0;
  bool ran = false;

  SmallApp() {
    app.require_subcommand(0, 1);
    app.fallthrough();
    app.add_option("-u,--url", name);
    app.add_subcommand("first")->add_option("--name", name)->required();
    app.add_subcommand("second")->add_option("--count", count);
  }

  int run(std::vector<std::string> words, const cli::Action& body = [] { return 0; },
          cli::LogCheck log_check = cli::LogCheck::before_parse) {
    words.insert(words.begin(), "cli-test");
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    return cli::run_main(app, static_cast<int>(argv.size()), argv.data(), {"cli-test", log_check}, [&] {
      ran = true;
      return body();
    });
  }
};

} // namespace

TEST_CASE("run_main: parse outcomes") {
  ::unsetenv("HECTIC_LOG");
  CHECK(SmallApp().run({"--help"}) == 0);
  CHECK(SmallApp().run({"second", "--help"}) == 0);
  CHECK(SmallApp().run({"first"}) == 3);           // missing required option
  CHECK(SmallApp().run({"--bogus"}) == 9);         // unknown option
  CHECK(SmallApp().run({"frobnicate"}) == 9);      // unknown subcommand
  CHECK(SmallApp().run({"second", "--count", "x"}) == 9); // bad value
  CHECK(SmallApp().run({"first", "--name", "a", "second"}) == 2); // two subcommands
  SmallApp ok;
  CHECK(ok.run({"first", "--name", "a"}) == 0);
  CHECK(ok.ran);
  CHECK(ok.name == "a");
  SmallApp bad;
  CHECK(bad.run({"--bogus"}) == 9);
  CHECK_FALSE(bad.ran); // a parse error stops before the action
}

TEST_CASE("run_main: the action's status and thrown errors") {
  ::unsetenv("HECTIC_LOG");
  CHECK(SmallApp().run({}, [] { return 4; }) == 4);
  CHECK(SmallApp().run({}, []() -> int { throw Error(ExitCode::missing_program, "no initdb"); }) == 127);
  CHECK(SmallApp().run({}, []() -> int { throw Error(ExitCode::no_such_table, "no table"); }) == 5);
  CHECK(SmallApp().run({}, []() -> int { throw std::runtime_error("boom"); }) == 13);
  CHECK(SmallApp().run({}, []() -> int { throw std::out_of_range("index"); }) == 13);
  // An ordinary file system condition is exit 1, not "this is a bug".
  CHECK(SmallApp().run({}, []() -> int { std::filesystem::create_directories("/proc/hectic-no/dir"); return 0; }) == 1);
}

TEST_CASE("run_main: an invalid HECTIC_LOG is exit 3, before or after parsing, or only a warning") {
  ::setenv("HECTIC_LOG", "info;x=loud", 1);
  SmallApp before;
  CHECK(before.run({"--bogus"}) == 3); // judged before the parse error
  CHECK_FALSE(before.ran);
  CHECK(SmallApp().run({"--bogus"}, [] { return 0; }, cli::LogCheck::after_parse) == 9);
  SmallApp after;
  CHECK(after.run({}, [] { return 0; }, cli::LogCheck::after_parse) == 3);
  CHECK_FALSE(after.ran);
  SmallApp lenient;
  CHECK(lenient.run({}, [] { return 0; }, cli::LogCheck::lenient) == 0);
  CHECK(lenient.ran);
  ::unsetenv("HECTIC_LOG");
}
