// $PAGER / $EDITOR as git runs them: the value is shell text for /bin/sh -c, the arguments we
// add follow as "$@" and are never parsed by that shell.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "common/base/fs.hpp"
#include "common/base/process.hpp"
#include "common/base/user_program.hpp"

using namespace hectic;

namespace {

// Sets (or unsets) one variable for a test.
struct VariableGuard {
  VariableGuard(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~VariableGuard() {
    if (m_old) ::setenv(m_name, m_old->c_str(), 1);
    else ::unsetenv(m_name);
  }
  const char* m_name;
  std::optional<std::string> m_old;
};

// A script that prints each argument followed by '|'.
std::filesystem::path argument_printer(const fs::TempDir& dir) {
  auto script = dir.path() / "dir with space" / "show args.sh";
  std::filesystem::create_directories(script.parent_path());
  std::ofstream(script) << "#!/bin/sh\nfor a in \"$@\"; do printf '%s|' \"$a\"; done\n";
  ::chmod(script.c_str(), 0755);
  return script;
}

// What the command prints when run with extra arguments appended.
std::string output_of(user_program::Command command, const std::vector<std::string>& extra) {
  command.args.insert(command.args.end(), extra.begin(), extra.end());
  auto result = process::run(command.program, command.args);
  REQUIRE(result.ok());
  return result.out;
}

} // namespace

TEST_CASE("a quoted argument in PAGER survives, as with git") {
  fs::TempDir dir("user-program-test");
  auto script = argument_printer(dir);
  std::string value = "'" + script.string() + "' --title 'two words' -R";
  VariableGuard pager("PAGER", value.c_str());
  CHECK(output_of(user_program::from_env("PAGER", "less -R"), {"file"}) == "--title|two words|-R|file|");
}

TEST_CASE("arguments we add are never parsed by the shell") {
  fs::TempDir dir("user-program-test");
  auto script = argument_printer(dir);
  auto marker = dir.path() / "marker";
  std::string value = "'" + script.string() + "'";
  VariableGuard editor("EDITOR", value.c_str());
  std::string hostile = "/tmp/a b;touch " + marker.string() + ";$(touch " + marker.string() + ")";
  CHECK(output_of(user_program::from_env("EDITOR", "vi"), {hostile}) == hostile + "|");
  CHECK_FALSE(std::filesystem::exists(marker));
}

TEST_CASE("unset or blank: the fallback, run through the shell too") {
  fs::TempDir dir("user-program-test");
  auto script = argument_printer(dir);
  std::string fallback = "'" + script.string() + "' -x";
  {
    VariableGuard unset("PAGER", nullptr);
    CHECK(output_of(user_program::from_env("PAGER", fallback), {"f"}) == "-x|f|");
  }
  VariableGuard blank("PAGER", "   ");
  CHECK(output_of(user_program::from_env("PAGER", fallback), {"f"}) == "-x|f|");
}
