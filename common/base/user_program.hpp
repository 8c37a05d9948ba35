#pragma once
// A program the user names in an environment variable ($EDITOR, $PAGER), possibly with
// arguments and shell quoting ("less -S", "code --wait", "'/opt/my editor/bin/ed' -n").
#include <string>
#include <vector>

namespace hectic::user_program {

// A program and its arguments; further arguments may be appended to args.
struct Command {
  std::string program;
  std::vector<std::string> args;
};

// The variable's value (fallback when unset or blank) as git runs it: /bin/sh -c 'VALUE "$@"',
// so quoting in the value works, and arguments appended to args reach the program as they are
// (the shell never parses them).
Command from_env(const char* name, const std::string& fallback);

} // namespace hectic::user_program
